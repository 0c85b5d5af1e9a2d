package dev.hermod.internal.reference;

import dev.hermod.ConnectionException;
import dev.hermod.MarshalException;
import dev.hermod.ObjectNotFoundException;
import dev.hermod.Remote;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.contract.Contracts;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.contract.Service;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import io.netty.buffer.ByteBuf;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object references one connection carries, both ways: the local objects this side exported
 * to the peer, and the peer's objects this side holds proxies for.
 *
 * <p>A reference travels in a parameter or result slot typed as a {@link Remote @Remote}
 * interface, as a number: {@code n > 0} is object {@code n} exported by the sender, for which the
 * receiver makes (or finds) a proxy; {@code n < 0} is object {@code -n} exported by the receiver,
 * handed back to it, so the receiver gets its own object; null is null. A call on the sender's
 * object {@code n} is addressed to the service named {@code "@n"}.
 *
 * <p>An export lives until the peer releases every reference it received to it, until the
 * exporter revokes it, or until the connection closes. Releases are counted so that one crossing
 * a new copy of the same reference on the wire cannot drop it: the exporter counts each time it
 * sends the reference, the holder each time it receives it, and a release carries the holder's
 * count (the scheme of Java RMI and RPyC). The holder releases when its proxy is released
 * explicitly or garbage-collected.
 *
 * <p>Shared by the invocation side (arguments out, results in) and the dispatch side (arguments
 * in, results out). It knows nothing of proxies or calls: the connection that carries it makes
 * the proxies for the peer's objects and sends releases ({@link Carrier}).
 *
 * <p>Thread-safe: one lock per connection guards both directions.
 */
public final class ObjectTable {
    private static final Logger log = LoggerFactory.getLogger(ObjectTable.class);
    /** The reserved service that carries releases, besides describing a server. */
    public static final String CONTROL_SERVICE = "hermod";
    /** The operation of {@link Control} that releases a reference. */
    public static final String RELEASE = "release";
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "hermod-reference-release");
        t.setDaemon(true);
        return t;
    });
    /** Every open table, so that an object can be revoked everywhere it is exported. */
    private static final Set<ObjectTable> OPEN = ConcurrentHashMap.newKeySet();

    /** The control operation the holder of a reference sends to release it. */
    @Remote
    public interface Control {
        /**
         * The sender released its references to object {@code id}, which it had received
         * {@code count} times.
         */
        void release(long id, long count);
    }

    /**
     * What the table needs from the connection that carries it, filled in by the invocation
     * layer: proxies for the peer's objects, and the message that releases one.
     */
    public interface Carrier {
        /**
         * Makes the holder of a reference to the peer's object {@code state} as {@code type}:
         * every proxy for the reference keeps it reachable; once it is not, the reference is
         * released.
         *
         * @throws IllegalArgumentException if {@code type} is not a valid contract
         */
        Imported newImport(Import state, Class<?> type);

        /** The reference behind {@code value} if it is a proxy for one (received on any connection), else null. */
        Import importOf(Object value);

        /** Tells the peer that this side released its object {@code id}, received {@code count} times. */
        void sendRelease(long id, long count);
    }

    /** A reference this side holds, as the carrier made it. */
    public interface Imported {
        /** The contract it was received as. */
        Class<?> type();

        /** The proxy handed out for it. */
        Object proxy();
    }

    private final Link link;
    private final Contracts contracts;
    private final ReferenceCounts counts;
    private final Carrier carrier;
    private final ConcurrentHashMap<Long, Export> exports = new ConcurrentHashMap<>();
    /** Guarded by this. */
    private final Map<Key, Export> byServant = new HashMap<>();
    private final ConcurrentHashMap<Long, Import> imports = new ConcurrentHashMap<>();
    /** Guarded by this. */
    private long lastId;
    /** Guarded by this. */
    private boolean closed;

    /**
     * @param link the connection's link, for messages
     * @param contracts reads the contracts of exported objects
     * @param counts where this side counts its exports and references, over all its connections
     * @param carrier makes proxies and sends releases for this connection
     */
    public ObjectTable(Link link, Contracts contracts, ReferenceCounts counts, Carrier carrier) {
        this.link = link;
        this.contracts = contracts;
        this.counts = counts;
        this.carrier = carrier;
        OPEN.add(this);
    }

    /** A servant exported as a contract; the same servant exported as another contract is another export. */
    private record Key(Object servant, Class<?> type) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.servant == servant && k.type == type;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(servant) * 31 + type.hashCode();
        }
    }

    /** One exported object. */
    private static final class Export {
        final long id;
        final Key key;
        final Service service;
        /** References sent and not yet released. Guarded by the table. */
        long sent;

        Export(long id, Key key, Service service) {
            this.id = id;
            this.key = key;
            this.service = service;
        }
    }

    /**
     * What this side knows of one reference it holds. It outlives the proxy (it is the cleaner's
     * action), so that the release can report how many times the reference was received.
     */
    public static final class Import implements Runnable {
        final ObjectTable table;
        final long id;
        /** Set once, right after the reference is made. */
        WeakReference<Imported> reference;
        /** Guarded by the table. */
        long received;
        /** Guarded by the table. */
        boolean released;

        Import(ObjectTable table, long id) {
            this.table = table;
            this.id = id;
        }

        /** The object's number on the peer's side. */
        public long id() {
            return id;
        }

        /** The table of the connection it was received on. */
        public ObjectTable table() {
            return table;
        }

        /** Every proxy for the reference is gone: release it. */
        @Override
        public void run() {
            table.release(this);
        }
    }

    // ---- sending ----

    /** The arguments of {@code op} as they travel: references replaced by numbers. */
    public Object[] argumentsToWire(Operation op, Object[] args) {
        Class<?>[] refs = op.argumentReferences();
        if (refs == null) {
            return args;
        }
        Object[] wire = args.clone();
        for (int i = 0; i < refs.length; i++) {
            if (refs[i] != null) {
                wire[i] = toWire(refs[i], args[i]);
            }
        }
        return wire;
    }

    /**
     * The number that carries {@code value} as a reference of type {@code type}: exports a local
     * object (or a proxy to somewhere else, which then forwards), or refers the peer to its own
     * object if {@code value} is a proxy received on this connection.
     *
     * @throws ConnectionException if the connection is closed
     */
    public Long toWire(Class<?> type, Object value) {
        if (value == null) {
            return null;
        }
        Import behind = carrier.importOf(value);
        if (behind != null && behind.table == this) {
            return -behind.id;
        }
        Key key = new Key(value, type);
        synchronized (this) {
            if (closed) {
                throw Failures.connection("cannot pass a reference to " + type.getSimpleName()
                        + " over the closed connection to " + link.remoteAddress(), null, true);
            }
            Export e = byServant.get(key);
            if (e == null) {
                Service service;
                try {
                    service = new Service("@" + (lastId + 1), contracts.get(type), value);
                } catch (IllegalArgumentException ex) {
                    throw Failures.marshal("cannot export a " + type.getName() + ": " + ex.getMessage(), ex, true);
                }
                e = new Export(++lastId, key, service);
                byServant.put(key, e);
                exports.put(e.id, e);
                counts.exported.incrementAndGet();
            }
            e.sent++;
            return e.id;
        }
    }

    // ---- receiving ----

    /** Replaces, in place, the numbers in the reference slots of {@code op}'s arguments by objects. */
    public void argumentsFromWire(Operation op, Object[] values) {
        Class<?>[] refs = op.argumentReferences();
        if (refs == null) {
            return;
        }
        for (int i = 0; i < refs.length; i++) {
            if (refs[i] != null) {
                values[i] = fromWire(refs[i], values[i]);
            }
        }
    }

    /**
     * The object a number received in a slot of type {@code type} stands for: a proxy for the
     * peer's object (the same proxy each time while one is in use), or this side's own object.
     *
     * @throws ObjectNotFoundException if it names an object of this side that is not exported
     * @throws MarshalException if it names one that is not a {@code type}
     */
    public Object fromWire(Class<?> type, Object wire) {
        if (wire == null) {
            return null;
        }
        long id = ((Number) wire).longValue();
        if (id < 0) {
            Export e = exports.get(-id);
            if (e == null) {
                throw new ObjectNotFoundException("object @" + -id + " passed back by "
                        + link.remoteAddress() + " is no longer exported here: it was released or"
                        + " revoked", null);
            }
            if (!type.isInstance(e.key.servant())) {
                throw Failures.marshal("object @" + -id + " is a " + e.key.type().getName() + ", not a "
                        + type.getName(), null, true);
            }
            return e.key.servant();
        }
        if (id == 0) {
            throw Failures.marshal("0 is not an object reference", null, true);
        }
        synchronized (this) {
            Import known = imports.get(id);
            Imported r = known == null ? null : known.reference.get();
            if (r == null || known.released || r.type() != type) {
                Import state = new Import(this, id);
                try {
                    r = carrier.newImport(state, type);
                } catch (IllegalArgumentException e) {
                    throw Failures.marshal("cannot make a proxy for object @" + id + ": " + e.getMessage(), e,
                            true);
                }
                state.reference = new WeakReference<>(r);
                if (!closed) {
                    imports.put(id, state);
                    counts.imported.incrementAndGet();
                    CLEANER.register(r, state);
                } else {
                    state.released = true; // its calls fail: the connection is gone
                }
                known = state;
            }
            known.received++;
            return r.proxy();
        }
    }

    /** The exported object a request addresses as {@code "@n"}, or null if there is none. */
    public Service service(String name) {
        try {
            Export e = exports.get(Long.parseLong(name, 1, name.length(), 10));
            return e == null ? null : e.service;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- releasing ----

    /** The peer released references it had received {@code count} times. */
    public void onRelease(ByteBuf body, dev.hermod.internal.protocol.PeerLog peerLog) {
        Object[] args;
        try {
            args = contracts.get(Control.class).operation(RELEASE).argumentCoder().decode(Frames.payload(body));
        } catch (Exception e) {
            peerLog.warn("bad release", "{}: dropping an undecodable release: {}", String.valueOf(link), e.getMessage());
            return;
        }
        if (!(args[0] instanceof Long) || !(args[1] instanceof Long)) {
            peerLog.warn("bad release", "{}: dropping a release without an id or count", String.valueOf(link));
            return;
        }
        long id = (Long) args[0];
        long count = (Long) args[1];
        synchronized (this) {
            Export e = exports.get(id);
            if (e == null) {
                return; // revoked meanwhile
            }
            e.sent -= count;
            if (e.sent <= 0) {
                unexport(e);
            }
        }
    }

    /** Guarded by this. */
    private void unexport(Export e) {
        exports.remove(e.id);
        byServant.remove(e.key);
        counts.exported.decrementAndGet();
    }

    /** Releases a reference this side holds: its proxies fail from now on and the peer is told. */
    public void release(Import state) {
        long count;
        synchronized (this) {
            if (state.released) {
                return;
            }
            state.released = true;
            imports.remove(state.id, state);
            counts.imported.decrementAndGet();
            if (closed) {
                return;
            }
            count = state.received;
        }
        carrier.sendRelease(state.id, count);
    }

    /** Whether the reference is still usable; if not, why not. */
    public synchronized RpcException unusable(Import state, Class<?> type) {
        if (closed) {
            return Failures.connection("reference @" + state.id + " (" + type.getSimpleName()
                    + ") was lost with its connection: the connection to " + link.remoteAddress()
                    + " that carried it is closed, and it never works again; the peer must pass its object again",
                    null, true);
        }
        if (state.released) {
            return new ObjectNotFoundException("reference @" + state.id + " (" + type.getSimpleName()
                    + ") was released", null);
        }
        return null;
    }

    /** Stops serving {@code servant} on this connection; returns how many exports that ended. */
    synchronized int revoke(Object servant) {
        List<Long> ids = new ArrayList<>();
        exports.forEach((id, e) -> {
            if (e.key.servant() == servant) {
                ids.add(id);
            }
        });
        for (Long id : ids) {
            unexport(exports.get(id));
        }
        return ids.size();
    }

    /** Stops serving {@code servant} on every connection of this process; returns how many exports ended. */
    public static int revokeEverywhere(Object servant) {
        int n = 0;
        for (ObjectTable t : OPEN) {
            n += t.revoke(servant);
        }
        return n;
    }

    /**
     * The connection closed: every export ends, every reference held dies. Returns the objects
     * that were exported when it closed (each once): the peer held references to them, and has
     * lost them.
     */
    public List<Object> close() {
        List<Object> lost = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return List.of();
            }
            closed = true;
            java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Export e : exports.values()) {
                if (seen.add(e.key.servant())) {
                    lost.add(e.key.servant());
                }
            }
            counts.exported.addAndGet(-exports.size());
            exports.clear();
            byServant.clear();
            for (Import i : imports.values()) {
                i.released = true;
            }
            counts.imported.addAndGet(-imports.size());
            imports.clear();
        }
        OPEN.remove(this);
        return lost;
    }

    /** Objects exported on this connection. */
    public int exportCount() {
        return exports.size();
    }

    /** References received on this connection and not released. */
    public int importCount() {
        return imports.size();
    }
}
