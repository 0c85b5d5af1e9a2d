package dev.hermod.internal.invocation;

import dev.hermod.RpcException;
import dev.hermod.Status;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.dispatch.Collocation;
import dev.hermod.internal.dispatch.Dispatch;
import dev.hermod.internal.dispatch.Inbound;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.ProtocolViolation;
import dev.hermod.internal.protocol.RequestTable;
import dev.hermod.internal.protocol.StreamFrames;
import dev.hermod.internal.protocol.Wire;
import dev.hermod.internal.reference.ObjectTable;
import dev.hermod.internal.transport.Backlog;
import dev.hermod.internal.transport.ConnectionPool;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// One file, longer than most: the calls out over one connection, their replies, its draining
// (GOAWAY either way, what the peer took) and its close all work on the one table of pending
// calls and must agree on which call was written, taken or never sent; spread over files, each
// part would reach back into that table and its lock. What needs no table is elsewhere: the
// request frame (RequestFrames) and the outcome a reply carries (Reply.settle).
/**
 * The RPC endpoint of one link, the same on both sides: it sends calls and matches replies to them
 * by request id, and it hands incoming requests to a {@link Dispatch}. A client's connection has
 * a dispatch with no services; nothing else differs.
 *
 * <p>Thread-safe. Frames arrive on the link's I/O thread; calls are sent from any thread.
 */
public final class RpcConnection implements Link.Listener, ObjectTable.Carrier, ConnectionPool.Member {
    private static final Logger log = LoggerFactory.getLogger(RpcConnection.class);

    /** Set when the connection closes. */
    private volatile List<Object> lostExports = List.of();

    /** Learns about the connection's life; implemented by the client and the server. */
    public interface Owner {
        /** The peer sent GOAWAY: no new calls should be started on this connection. */
        default void onGoAway(RpcConnection connection, Frames.GoAway goAway) {}

        /** The connection began draining: GOAWAY either way, or a graceful close. Once. */
        default void onDraining(RpcConnection connection) {}

        /** The connection closed; all its calls have been failed. */
        void onClosed(RpcConnection connection, RpcException cause);

        /** A call sent on this connection has its reply (or was forgotten): a slot is free. */
        default void onCallDone(RpcConnection connection) {}

        /** A reply arrived {@code nanos} after its call started, for the endpoint's recent latency. */
        default void onReplied(RpcConnection connection, long nanos) {}

        /**
         * Sends every request this side's batch proxies hold for {@code connection} over it;
         * the result completes when they are written.
         */
        AsyncResultImpl<Void> flushBatches(RpcConnection connection);
    }

    private final Link link;
    private final Dispatch dispatch;
    private final Owner owner;
    private final RequestTable<Call> pending = new RequestTable<>();
    /** The peer sent GOAWAY: start no new calls, close once ours are answered. */
    private volatile boolean draining;
    /**
     * Two-way requests handed to the transport so far; each call's {@link Call#sequence} is its
     * place in this count. Guarded by the backlog's lock, under which hand-overs happen.
     */
    private long handedTwoWay;
    /** How many two-way requests the peer's GOAWAY said it took; -1 until it says. */
    private volatile long peerTook = -1;
    /**
     * Whether a call started or a request or reply arrived since the last inactivity check. A flag,
     * not a time: the hot path then reads no clock, and writes only when the flag was clear.
     */
    private volatile boolean used;
    /** The inactivity check's: when it last saw the connection used. Read and written on the I/O thread. */
    private long lastUsed = System.nanoTime();
    private final CompletableFuture<RpcConnection> asFuture = CompletableFuture.completedFuture(this);
    private volatile boolean closed;
    /** This end among the in-process ones ({@link Collocation}); null until connected, or over a socket. */
    private volatile Object collocation;
    /** The peer's requests on this connection, as the dispatch serves them. */
    private final Inbound inbound;
    private final Peer peer;

    /**
     * Runs, when set, in {@link #send} once the call was found not done and before it is
     * registered: tests set it to end the call there, as its deadline or a cancel from another
     * thread may. Null otherwise.
     */
    static volatile Consumer<Call> beforeRegister;

    /** Requests waiting for the transport to become writable, in the order they must be written. */
    private final Backlog backlog;
    private final ObjectTable objects;
    /** Batch queues of references over this connection that hold requests. */
    private final java.util.Set<BatchQueue> held = ConcurrentHashMap.newKeySet();
    /** The public face of this connection; made on first use. */
    private volatile dev.hermod.connection.Connection handle;

    /**
     * @param maxBacklogBytes the most bytes of requests this side holds back while the transport
     *     is not writable; past it, asynchronous calls fail at once
     * @param peer what this side's connections share
     */
    public RpcConnection(Link link, Dispatch dispatch, Owner owner, long maxBacklogBytes, Peer peer) {
        this.link = link;
        this.dispatch = dispatch;
        this.owner = owner;
        this.backlog = new Backlog(link, maxBacklogBytes);
        this.peer = peer;
        this.objects = new ObjectTable(link, peer.contracts(), peer.references(), this);
        this.inbound = dispatch.newInbound(link, objects, this::closeIfDrained);
        this.collocation = Collocation.enroll(link, new ByReference(pending), dispatch);
    }

    @Override
    public ObjectTable.Imported newImport(ObjectTable.Import state, Class<?> type) {
        return new Reference(this, state, type);
    }

    @Override
    public ObjectTable.Import importOf(Object value) {
        return Reference.importOf(value);
    }

    @Override
    public void sendRelease(long id, long count) {
        Call release = Call.control(peer.releaseOperation(), ObjectTable.CONTROL_SERVICE, new Object[] {id, count},
                peer.callTimeout());
        release.schedule(peer);
        send(release);
    }

    /** What this side's connections share. */
    Peer peer() {
        return peer;
    }

    /** The object references this connection carries, both ways. */
    public ObjectTable objects() {
        return objects;
    }

    /** Bytes of requests held back, waiting for the transport. */
    public long backlogBytes() {
        return backlog.bytes();
    }

    /** The public face of this connection, the same object every time. */
    public dev.hermod.connection.Connection handle() {
        dev.hermod.connection.Connection h = handle;
        if (h == null) {
            synchronized (this) {
                h = handle;
                if (h == null) {
                    h = new ConnectionHandle(this);
                    handle = h;
                }
            }
        }
        return h;
    }

    /** Sends the requests this side's batch proxies hold for this connection. */
    AsyncResultImpl<Void> flushBatches() {
        return owner.flushBatches(this);
    }

    /** The batch queue of a reference over this connection holds requests: flushed with the connection's. */
    void holding(BatchQueue queue) {
        held.add(queue);
    }

    /** A reference's batch queue was flushed through its proxy. */
    void flushed(BatchQueue queue) {
        held.remove(queue);
    }

    /** Takes the requests the batch proxies of references over this connection hold, one queue after another. */
    public List<BatchQueue.Item> drainHeld() {
        List<BatchQueue.Item> items = new ArrayList<>();
        for (BatchQueue q : List.copyOf(held)) {
            held.remove(q);
            items.addAll(q.drain());
        }
        return items;
    }

    @Override
    public void onWritabilityChanged(Link link, boolean writable) {
        if (writable) {
            backlog.writable();
        }
    }

    /** The underlying link. */
    public Link link() {
        return link;
    }

    /** Tells whether new calls may be started here: open, and no GOAWAY either way. */
    @Override
    public boolean isUsable() {
        return !closed && !draining && !inbound.isGoingAway() && link.isOpen();
    }

    /** Learns about the connection's life: for a client, its connections to one endpoint. */
    Owner owner() {
        return owner;
    }

    /** Tells whether it has closed: its owner has been told, or is being told. */
    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Where the connection is in its life. */
    public dev.hermod.connection.Connection.State state() {
        if (closed || !link.isOpen()) {
            return dev.hermod.connection.Connection.State.CLOSED;
        }
        return draining || inbound.isGoingAway() ? dev.hermod.connection.Connection.State.DRAINING
                : dev.hermod.connection.Connection.State.OPEN;
    }

    /** Marks the connection draining; tells the owner the first time. */
    private void drain() {
        if (!draining) {
            synchronized (this) {
                if (draining) {
                    return;
                }
                draining = true;
            }
            owner.onDraining(this);
        }
    }

    /** This connection as a completed future, made once (see {@link ConnectionPool.Member#asFuture}). */
    @Override
    public CompletableFuture<RpcConnection> asFuture() {
        return asFuture;
    }

    /** Number of calls waiting for a reply. */
    @Override
    public int pendingCalls() {
        return pending.size();
    }

    @Override
    public void closeWhenQuiet(long quietNanos) {
        closeWhenUnused(java.time.Duration.ofNanos(quietNanos), false);
    }

    /**
     * Encodes the call in the calling thread and hands it to the link. Never blocks; the outcome
     * arrives through the call.
     */
    public void send(Call call) {
        if (call.isDone()) {
            return; // expired or canceled while waiting for the connection
        }
        markUsed();
        int attempt = call.attempt();
        call.connection = this;
        if (call.streams != null && !link.peerStreams()) {
            call.fail(Failures.operationNotFound(call.describe() + " streams, and the peer at " + link.remoteAddress()
                    + " does not support streams (it announced no STREAMS setting)", null, true));
            return;
        }
        Consumer<Call> hook = beforeRegister;
        if (hook != null) {
            hook.accept(call);
        }
        RequestParcel parcel = new RequestParcel(this, call, attempt);
        int id = call.oneway ? 0 : register(call, parcel);
        if (call.oneway && closed) {
            call.fail(Failures.connection("connection to " + link.remoteAddress() + " closed before "
                    + call.describe() + " was sent", null, true));
            return;
        }
        if (collocation == null && link.isInProcess() && !closed) {
            collocation = Collocation.enroll(link, new ByReference(pending), dispatch);
            if (closed) { // closed meanwhile: onClose may have left before this enrolled
                Collocation.leave(collocation);
            }
        }
        boolean byReference = !call.oneway && call.streams == null
                && Collocation.mayHandOver(collocation, call.wireService(), call.operation);
        call.byReference = byReference;
        ByteBuf frame;
        try {
            frame = RequestFrames.build(call, link, objects, id, byReference);
        } catch (RpcException e) { // a reference that cannot be passed, arguments that cannot be encoded or sent
            forget(call); // before it fails, which may send it again: its slot is free, the connection maybe drained
            call.fail(e);
            return;
        }
        if (call.streams != null) {
            call.streams.open(this, id); // its argument streams start once the request is handed over
        }
        Object ticket;
        try {
            ticket = backlog.offer(frame, parcel, call.result != null, QUEUED_CALL_COST);
        } finally {
            link.giveBack(frame); // if lent (made on the I/O thread): copied by now, or held as a copy
        }
        if (ticket == Backlog.REFUSED) {
            // Flow control: an asynchronous call fails at once; a synchronous one, holding its
            // own thread, is held back anyway.
            frame.release();
            forget(call);
            call.fail(Failures.rpc(Status.RESOURCE_EXHAUSTED, "cannot send " + call.describe() + ": "
                    + backlogBytes() + " bytes of requests (counting " + QUEUED_CALL_COST + " per call) are already"
                    + " waiting for the connection to " + link.remoteAddress() + " (limit " + backlog.limit()
                    + "); send fewer at a time", null, true));
        } else if (ticket != null) {
            call.queued(ticket);
            if (call.isDone()) { // withdrawn before it knew where it waited
                withdrawn(call); // and maybe before it registered, when forgetting it found nothing
            }
        }
    }

    /** Why a frame was not written: the cause the link closed with, if any. */
    RpcException writeFailure(ChannelFuture f, String what) {
        RpcException why = link.closeCause(); // e.g. the protocol error that closed the link
        return why != null ? why
                : Failures.connection(what + " to " + link.remoteAddress() + ": " + f.cause(), f.cause(), true);
    }

    /**
     * Sends queued requests as BATCH frames ({@link BatchSend}); two-way ones then wait for their
     * replies like any call.
     */
    public BatchSend.Sent sendBatch(List<BatchQueue.Item> items) {
        return new BatchSend(this).send(items);
    }

    /**
     * What a call held back costs besides its frame: the call, its result handle and their
     * callbacks take about 0.9 KiB of heap. It counts against the backlog's limit (and calls
     * waiting for a connection count it too), so that a flood of small asynchronous calls is
     * refused before it fills the heap.
     */
    static final int QUEUED_CALL_COST = 1024;

    /** Says, for the timeout of a call that never left this side, what held it back. */
    String whyUnsent() {
        return " before it could be sent: it waited behind requests the connection to " + link.remoteAddress()
                + " could not take (" + backlogBytes() + " bytes held back; the server reads more slowly than"
                + " this client sends)";
    }

    /** Hands a frame carrying {@code calls} requests to the backlog; see {@link Backlog#offer}. */
    Object offer(ByteBuf frame, Backlog.Parcel parcel, boolean mayRefuse, int calls) {
        return backlog.offer(frame, parcel, mayRefuse, (long) calls * QUEUED_CALL_COST);
    }

    /** Stops waiting for the reply to request {@code id}; false if it was not waited for. */
    boolean unregister(int id, Call call) {
        return pending.remove(id, call);
    }

    /** Tells the peer that the reply to {@code call} is no longer wanted. */
    void sendCancel(Call call) {
        if (link.isOpen()) { // through the backlog's lock: never written before the request
            backlog.sendNow(Frames.cancel(link.alloc(), call.requestId), f -> { });
        }
    }

    int register(Call call) {
        return register(call, null);
    }

    /** Registers {@code call} through {@code entry}, its own entry in the table, or one made for it if null. */
    private int register(Call call, RequestTable.Entry<Call> entry) {
        int id = entry == null ? pending.add(call) : pending.add(entry);
        call.requestId = id;
        if (closed && pending.remove(id, call)) {
            // Lost the race with onClose: it will not see this call.
            call.fail(Failures.connection("connection to " + link.remoteAddress()
                    + " closed before " + call.describe() + " was sent", null, true));
        }
        return id;
    }

    /**
     * {@code call} withdrew its request before it was handed to the transport: drops it if it
     * waits in the backlog, and stops waiting for a reply.
     */
    void withdrawn(Call call) {
        Object ticket = call.queued();
        if (ticket != null) {
            backlog.withdraw(ticket);
        }
        forget(call);
    }

    /** Stops waiting for a reply to {@code call} (deadline passed, or canceled); a late reply is dropped. */
    void forget(Call call) {
        if (pending.remove(call.requestId, call)) {
            owner.onCallDone(this);
        }
        closeIfDrained();
    }

    @Override
    public void onFrame(Link link, int type, int flags, ByteBuf body) {
        if (type != Wire.GOAWAY) {
            markUsed();
        }
        switch (type) {
            case Wire.REPLY:
                onReply(body, (flags & Wire.FLAG_COMPRESSED) != 0, (flags & Wire.FLAG_SEGMENTS) != 0);
                break;
            case Wire.REQUEST:
            case Wire.BATCH:
                inbound.onRequestFrame(type, flags, body);
                break;
            case Wire.CANCEL:
                dispatch.onCancel(inbound, Frames.readCancel(body));
                break;
            case Wire.PROGRESS:
                onProgress(Frames.readProgress(body));
                break;
            case Wire.GOAWAY:
                onGoAway(Frames.readGoAway(body));
                break;
            case Wire.ITEM:
            case Wire.CREDIT:
            case Wire.STREAM_END:
                onStreamFrame(type, body);
                break;
            default:
                throw new ProtocolViolation("unexpected frame type " + Wire.typeName(type));
        }
    }

    private void onReply(ByteBuf body, boolean compressed, boolean segmented) {
        Frames.ReplyHeader header = Frames.readReply(body);
        Call call = pending.remove(header.requestId());
        owner.onCallDone(this);
        if (call == null) {
            log.debug("{}: dropping reply to request {}, which is no longer waited for", link, header.requestId());
            return;
        }
        owner.onReplied(this, call.elapsedNanosAt(link.readNanos()));
        Reply.settle(call, header.outcome(), body, compressed, segmented, link);
        closeIfDrained();
    }

    /**
     * A stream frame: those of this side's calls (result items, credit and cancels for argument
     * streams) are handled here; the others belong to requests this side serves.
     */
    private void onStreamFrame(int type, ByteBuf body) {
        StreamFrames.Address a = StreamFrames.readAddress(body);
        boolean ours = type == Wire.ITEM ? a.slot() == StreamFrames.RESULT_SLOT
                : type == Wire.CREDIT ? a.slot() != StreamFrames.RESULT_SLOT
                : peekEndKind(body) == StreamFrames.END_CANCELED;
        if (!ours) {
            inbound.onStreamFrame(type, a, body);
            return;
        }
        Call call = pending.get(a.requestId());
        if (call == null || call.streams == null) {
            if (type == Wire.STREAM_END) {
                StreamFrames.readEnd(body); // still checked
            }
            return; // a call that has ended: late frames are dropped
        }
        switch (type) {
            case Wire.ITEM:
                call.streams.item(a.slot(), body);
                break;
            case Wire.CREDIT:
                call.streams.credit(a.slot(), StreamFrames.readCredit(body));
                break;
            default:
                StreamFrames.readEnd(body);
                call.streams.canceled(a.slot());
                break;
        }
    }

    private static int peekEndKind(ByteBuf body) {
        Wire.need(body, 1, "stream end kind");
        return body.getUnsignedByte(body.readerIndex());
    }

    private void onProgress(Frames.Progress p) {
        Call call = pending.get(p.requestId());
        if (call != null) {
            call.progress(p.fraction(), p.message());
        }
    }

    private void onGoAway(Frames.GoAway goAway) {
        drain(); // first: a call refused below and sent again at once must not be given this connection
        if (goAway.taken() >= 0) {
            peerTook = goAway.taken();
            refuseBeyond(goAway.taken());
        }
        if (goAway.status() == Status.PROTOCOL_ERROR) {
            link.recordCause(Failures.protocol("the peer " + link.remoteAddress()
                    + " closed the connection: " + goAway.message(), null, false));
        } else {
            log.debug("{}: peer is going away: {}", link, dev.hermod.internal.protocol.PeerLog.escape(goAway.message()));
        }
        owner.onGoAway(this, goAway);
        closeIfDrained();
    }

    /**
     * The peer took only the first {@code taken} two-way requests: the later ones, already sent,
     * will be refused unrun, so they fail now as unprocessed (and may be sent again elsewhere)
     * rather than wait for the refusal. I/O thread.
     */
    private void refuseBeyond(long taken) {
        for (Call call : pending.snapshot()) {
            if (call.sequence > taken && pending.remove(call.requestId, call)) {
                owner.onCallDone(this);
                call.refused(Failures.connection(link.remoteAddress() + " is going away and did not take "
                        + call.describe(), null, true));
            }
        }
    }

    /**
     * Numbers a two-way request just before it is handed to the transport, under the backlog's
     * lock, so that requests are numbered in the order they are written. Before, not after: the
     * caller may write the request itself, and the peer's GOAWAY saying how many it took may be
     * read on the I/O thread ({@link #refuseBeyond}) before the hand-over returns; a request not
     * yet numbered then would be neither refused nor answered, and its call would wait for good.
     */
    void number(Call call) {
        if (!call.oneway) {
            call.sequence = ++handedTwoWay;
        }
    }

    /**
     * Tells the peer with a GOAWAY frame that this side accepts no new requests here, and how
     * many two-way requests it took; later ones are refused as unprocessed. The peer closes the
     * connection once its calls are answered; the owner closes it at the latest when its grace
     * period ends. Any thread: decided on the I/O thread, where requests are taken.
     */
    public void goAway(String reason) {
        if (!link.eventLoop().inEventLoop()) {
            try {
                link.eventLoop().execute(() -> goAway(reason));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the I/O thread has stopped, and the connection with it
            }
            return;
        }
        if (inbound.goAway()) {
            link.goAway(Status.UNAVAILABLE, reason, inbound.twoWayTaken());
        }
    }

    /** Closes the link now; pending calls fail with {@code cause}. */
    @Override
    public void close(RpcException cause) {
        link.close(cause);
    }

    /** Starts no new calls here and closes the link once pending calls have their replies. */
    @Override
    public void closeWhenIdle() {
        drain();
        closeIfDrained();
    }

    private void closeIfDrained() {
        if (draining && pending.isEmpty() && inbound.inFlight() == 0 && link.isOpen()) {
            // After what was handed over: oneway requests already given to the link still go out,
            // and any offered later fail as never sent (and may be sent again elsewhere).
            RpcException drained = Failures.connection("connection to " + link.remoteAddress()
                    + " closed after draining", null, true);
            backlog.closeAfterHandedOver(drained, () -> link.closeAfterWrites(drained));
        }
    }

    /**
     * The objects this side had exported over this connection when it closed: the peer held
     * references to them and lost them. Empty while it is open.
     */
    public List<Object> lostExports() {
        return lostExports;
    }

    @Override
    public void onClose(Link link, RpcException cause) {
        closed = true;
        Collocation.leave(collocation);
        lostExports = objects.close();
        backlog.drop(cause);
        inbound.close(); // nobody is left to answer: stop the work
        for (Call call : pending.takeAll()) {
            // Not written whole: the server cannot have read it. The write is done by now if it
            // succeeded, since the link reports its close after completing its writes.
            call.fail(call.isWritten() && !beyondTaken(call) ? cause : Exceptions.unsent(cause));
        }
        owner.onClosed(this, cause);
    }

    /**
     * Closes the connection gracefully once it has been unused for {@code idle}: no call either
     * way in flight, none started or arriving for that long, and no object reference across it
     * (a callback session is never cut for quiet). A client closes it; a server sends GOAWAY, so
     * that the client closes it, and closes it itself if the client has not after one more
     * {@code idle} (Ice's inactivity timeout). Zero: never.
     */
    public void closeWhenUnused(java.time.Duration idle, boolean sayGoAway) {
        long nanos = java.util.concurrent.TimeUnit.NANOSECONDS.convert(idle);
        if (nanos > 0) {
            checkUnusedLater(nanos, sayGoAway);
        }
    }

    private void checkUnusedLater(long idleNanos, boolean sayGoAway) {
        try {
            link.eventLoop().schedule(() -> checkUnused(idleNanos, sayGoAway), Math.max(idleNanos / 4, 1_000_000L),
                    java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the I/O thread has stopped, and the connection with it
        }
    }

    private void markUsed() {
        if (!used) {
            used = true;
        }
    }

    /**
     * On the I/O thread: acts if the connection has been unused for {@code idleNanos}, counted from
     * the check that last saw it used (so up to one check period, a quarter of it, late).
     */
    private void checkUnused(long idleNanos, boolean sayGoAway) {
        if (closed || !link.isOpen()) {
            return;
        }
        long now = System.nanoTime();
        if (used) {
            used = false;
            lastUsed = now;
        }
        boolean unused = pending.isEmpty() && inbound.inFlight() == 0 && now - lastUsed >= idleNanos
                && objects.exportCount() + objects.importCount() == 0;
        if (unused) {
            String why = "the connection was unused for " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(idleNanos)
                    + " ms";
            if (!sayGoAway) {
                closeWhenIdle();
                return;
            }
            if (!inbound.isGoingAway()) {
                goAway(why);
                lastUsed = now; // the client has one more period to close it
            } else {
                link.closeAfterWrites(Failures.connection("connection to " + link.remoteAddress() + " closed: "
                        + why, null, true));
                return;
            }
        }
        checkUnusedLater(idleNanos, sayGoAway);
    }

    /** Whether the peer's GOAWAY said it would not take {@code call}: it cannot have run. */
    private boolean beyondTaken(Call call) {
        long took = peerTook;
        return took >= 0 && call.sequence > took;
    }

    @Override
    public String toString() {
        return "RpcConnection[" + link + "]";
    }
}
