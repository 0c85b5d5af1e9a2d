package dev.hermod.internal.rpc;

import dev.hermod.CallOptions;
import dev.hermod.ConnectionException;
import dev.hermod.MarshalException;
import dev.hermod.ObjectNotFoundException;
import dev.hermod.Remote;
import dev.hermod.RpcException;
import dev.hermod.internal.contract.Operation;
import io.netty.buffer.ByteBuf;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
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
 * <p>Thread-safe: one lock per connection guards both directions.
 */
public final class ObjectTable {
    private static final Logger log = LoggerFactory.getLogger(ObjectTable.class);
    /** The reserved service that carries releases, besides describing a server. */
    static final String CONTROL_SERVICE = "hermod";
    static final String RELEASE = "release";
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

    private final RpcConnection connection;
    private final Peer peer;
    private final ConcurrentHashMap<Long, Export> exports = new ConcurrentHashMap<>();
    /** Guarded by this. */
    private final Map<Key, Export> byServant = new HashMap<>();
    private final ConcurrentHashMap<Long, Import> imports = new ConcurrentHashMap<>();
    /** Guarded by this. */
    private long lastId;
    /** Guarded by this. */
    private boolean closed;

    ObjectTable(RpcConnection connection, Peer peer) {
        this.connection = connection;
        this.peer = peer;
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
        final Dispatch.Service service;
        /** References sent and not yet released. Guarded by the table. */
        long sent;

        Export(long id, Key key, Dispatch.Service service) {
            this.id = id;
            this.key = key;
            this.service = service;
        }
    }

    /**
     * What this side knows of one reference it holds. It outlives the proxy (it is the cleaner's
     * action), so that the release can report how many times the reference was received.
     */
    static final class Import implements Runnable {
        final ObjectTable table;
        final long id;
        /** Set once, right after the reference is made. */
        WeakReference<Reference> reference;
        /** Guarded by the table. */
        long received;
        /** Guarded by the table. */
        boolean released;

        Import(ObjectTable table, long id) {
            this.table = table;
            this.id = id;
        }

        /** Every proxy for the reference is gone: release it. */
        @Override
        public void run() {
            table.release(this);
        }
    }

    RpcConnection connection() {
        return connection;
    }

    Peer peer() {
        return peer;
    }

    // ---- sending ----

    /** The arguments of {@code op} as they travel: references replaced by numbers. */
    Object[] argumentsToWire(Operation op, Object[] args) {
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
    Long toWire(Class<?> type, Object value) {
        if (value == null) {
            return null;
        }
        if (Proxy.isProxyClass(value.getClass()) && Proxy.getInvocationHandler(value) instanceof ProxyHandler h
                && h.invoker() instanceof Reference r && r.table() == this) {
            return -r.id();
        }
        Key key = new Key(value, type);
        synchronized (this) {
            if (closed) {
                throw new ConnectionException("cannot pass a reference to " + type.getSimpleName()
                        + " over the closed connection to " + connection.link().remoteAddress(), null, true);
            }
            Export e = byServant.get(key);
            if (e == null) {
                Dispatch.Service service;
                try {
                    service = new Dispatch.Service("@" + (lastId + 1), peer.contracts().get(type), value);
                } catch (IllegalArgumentException ex) {
                    throw new MarshalException("cannot export a " + type.getName() + ": " + ex.getMessage(), ex, true);
                }
                e = new Export(++lastId, key, service);
                byServant.put(key, e);
                exports.put(e.id, e);
                peer.exported.incrementAndGet();
            }
            e.sent++;
            return e.id;
        }
    }

    // ---- receiving ----

    /** Replaces, in place, the numbers in the reference slots of {@code op}'s arguments by objects. */
    void argumentsFromWire(Operation op, Object[] values) {
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
    Object fromWire(Class<?> type, Object wire) {
        if (wire == null) {
            return null;
        }
        long id = ((Number) wire).longValue();
        if (id < 0) {
            Export e = exports.get(-id);
            if (e == null) {
                throw new ObjectNotFoundException("object @" + -id + " passed back by "
                        + connection.link().remoteAddress() + " is no longer exported here: it was released or"
                        + " revoked", null);
            }
            if (!type.isInstance(e.key.servant())) {
                throw new MarshalException("object @" + -id + " is a " + e.key.type().getName() + ", not a "
                        + type.getName(), null, true);
            }
            return e.key.servant();
        }
        if (id == 0) {
            throw new MarshalException("0 is not an object reference", null, true);
        }
        synchronized (this) {
            Import known = imports.get(id);
            Reference r = known == null ? null : known.reference.get();
            if (r == null || known.released || r.type() != type) {
                Import state = new Import(this, id);
                try {
                    r = new Reference(this, state, type);
                } catch (IllegalArgumentException e) {
                    throw new MarshalException("cannot make a proxy for object @" + id + ": " + e.getMessage(), e,
                            true);
                }
                state.reference = new WeakReference<>(r);
                if (!closed) {
                    imports.put(id, state);
                    peer.imported.incrementAndGet();
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
    Dispatch.Service service(String name) {
        try {
            Export e = exports.get(Long.parseLong(name, 1, name.length(), 10));
            return e == null ? null : e.service;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- releasing ----

    /** The peer released references it had received {@code count} times. */
    void onRelease(ByteBuf body) {
        Object[] args;
        try {
            args = peer.releaseOperation().argumentCoder().decode(dev.hermod.internal.protocol.Frames.payload(body));
        } catch (Exception e) {
            log.warn("{}: dropping an undecodable release: {}", connection.link(), e.getMessage());
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
        peer.exported.decrementAndGet();
    }

    /** Releases a reference this side holds: its proxies fail from now on and the peer is told. */
    void release(Import state) {
        long count;
        synchronized (this) {
            if (state.released) {
                return;
            }
            state.released = true;
            imports.remove(state.id, state);
            peer.imported.decrementAndGet();
            if (closed) {
                return;
            }
            count = state.received;
        }
        Call release = Call.control(peer.releaseOperation(), CONTROL_SERVICE, new Object[] {state.id, count},
                peer.callTimeout());
        release.schedule(peer.timer());
        connection.send(release);
    }

    /** Whether the reference is still usable; if not, why not. */
    synchronized RpcException unusable(Import state, Class<?> type) {
        if (closed) {
            return new ConnectionException("the connection to " + connection.link().remoteAddress()
                    + " that carried reference @" + state.id + " (" + type.getSimpleName() + ") is closed",
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

    /** The connection closed: every export ends, every reference held dies. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            peer.exported.addAndGet(-exports.size());
            exports.clear();
            byServant.clear();
            for (Import i : imports.values()) {
                i.released = true;
            }
            peer.imported.addAndGet(-imports.size());
            imports.clear();
        }
        OPEN.remove(this);
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
