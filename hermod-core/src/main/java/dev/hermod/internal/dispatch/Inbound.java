package dev.hermod.internal.dispatch;

import dev.hermod.internal.protocol.BatchFrames;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.PeerLog;
import dev.hermod.internal.protocol.RequestTable;
import dev.hermod.internal.protocol.Wire;
import dev.hermod.internal.reference.ObjectTable;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The serving side of one connection: the peer's requests from the moment their frame is read
 * until their reply is written, and whether this side still accepts requests. Made by the
 * {@link Dispatch} for the connection, which hands it each request frame. Thread-safe.
 *
 * <h2>What a peer may make this side hold</h2>
 * A request frame is counted ({@link HeldFrame}) from the moment it is read until its requests
 * are decoded, and a request in dispatch is counted by its estimated decoded size until its reply
 * is written. Requests enter dispatch ({@linkplain #pump admission}) one at a time, each item of
 * a BATCH frame on its own, while fewer than {@link Limits#maxInFlightPerConnection} are in
 * dispatch and the peer reads its replies (fewer than {@link Limits#maxReplyBytesPerConnection}
 * bytes of them unwritten, and the server's whole below its limit); a request in dispatch counts
 * until its reply is written to the socket, so a peer that does not read its replies has few in
 * dispatch. Frames beyond that wait undecoded, and reading stops; it resumes when their turn has
 * come and half the slots are free. Reading also stops while the connection holds
 * {@link Limits#maxRequestBytesPerConnection} request bytes, or while the whole server holds its
 * limit and this connection holds some.
 */
public final class Inbound {
    /**
     * Slots of the table of requests being served: the ids of one client's requests are
     * consecutive, so up to this many in dispatch at once take a slot each (more cost a little
     * more). 1 KiB per connection.
     */
    private static final int INVOCATION_SLOTS = 256;

    final Link link;
    final ObjectTable objects;
    final Dispatch dispatch;
    /** Warnings about this peer: escaped, rate-limited. */
    final PeerLog log;
    /** Runs when the last request in dispatch is answered. */
    private final Runnable onIdle;
    /** Requests of this connection in dispatch: admitted, their reply not yet written. */
    final AtomicInteger dispatching = new AtomicInteger();
    /** Oneway requests and batch items of this connection run one at a time, in arrival order. */
    volatile SerialExecutor lane;
    /** Requests being dispatched, by request id, so a CANCEL frame can reach them. */
    final RequestTable<Invocation> invocations = new RequestTable<>(INVOCATION_SLOTS);
    /** Requests pipelined on the results of others ({@code ^k}). */
    final Pipelines pipelines = new Pipelines();
    /** This side sent GOAWAY: refuse new requests. */
    private volatile boolean goingAway;
    /** See {@link #twoWayTaken()}. I/O thread only. */
    private long twoWayTaken;
    private volatile boolean closed;

    /** Request bytes held: frames not yet decoded, and the estimated decoded size of requests in dispatch. */
    private final AtomicLong held = new AtomicLong();
    /** This connection's replies: what they hold until written, and those waiting for room. */
    final Replies replies;
    /** Frames read and not yet wholly admitted, oldest first. I/O thread only. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** The names this connection's requests carry. I/O thread only. */
    private final dev.hermod.internal.protocol.Names names = new dev.hermod.internal.protocol.Names();
    /**
     * Set while a frame waits or reading is paused for this side's limits: a request that ends,
     * or room made elsewhere, must then have the I/O thread look again.
     */
    private volatile boolean blocked;
    /**
     * Runs, when set, on the I/O thread when it has found that it must stop admitting or reading
     * and has not said so yet, before it looks a second time. Tests set it to widen the race the
     * second look closes; null otherwise.
     */
    static volatile Consumer<Inbound> beforeSecondLook;
    /** Whether a look by the I/O thread is already scheduled. */
    private final java.util.concurrent.atomic.AtomicBoolean lookScheduled = new java.util.concurrent.atomic.AtomicBoolean();

    /** This connection's requests in the dispatch's fair scheduler. */
    final FairScheduler.Tenant tenant = new FairScheduler.Tenant();

    /** A frame whose requests are not all admitted yet. */
    private static final class Waiting {
        final HeldFrame frame;
        final boolean batch;
        final int flags;
        long left;

        Waiting(HeldFrame frame, boolean batch, int flags, long left) {
            this.frame = frame;
            this.batch = batch;
            this.flags = flags;
            this.left = left;
        }
    }

    Inbound(Dispatch dispatch, Link link, ObjectTable objects, Runnable onIdle) {
        this.dispatch = dispatch;
        this.link = link;
        this.objects = objects;
        this.onIdle = onIdle;
        this.log = new PeerLog(Dispatch.log, "connection from " + link.remoteAddress());
        this.replies = new Replies(this);
    }

    /** Requests of this connection in dispatch now. */
    public int inFlight() {
        return dispatching.get();
    }

    /** Whether this side has said it accepts no new requests here. */
    public boolean isGoingAway() {
        return goingAway;
    }

    /**
     * The two-way requests taken into dispatch so far, in the order they arrived: the count a
     * GOAWAY announces, past which every request is refused. I/O thread only.
     */
    public long twoWayTaken() {
        return twoWayTaken;
    }

    /** Accepts no new requests from now on; returns false if that was already so. I/O thread only. */
    public boolean goAway() {
        if (goingAway) {
            return false;
        }
        goingAway = true;
        return true;
    }

    /**
     * A REQUEST or BATCH frame arrived; {@code body} is positioned after its type and flags and
     * is released by the caller on return. Checked whole now (a malformed frame raises
     * {@link dev.hermod.internal.protocol.ProtocolViolation}), its requests are admitted now
     * or, past this side's limits, later. I/O thread only.
     */
    public void onRequestFrame(int type, int flags, ByteBuf body) {
        long count;
        if (type == Wire.BATCH) {
            count = BatchFrames.checkBatch(body);
            if (count == 0) {
                return;
            }
        } else {
            Frames.checkRequestHeader(body);
            count = 1;
        }
        int bytes = Wire.LENGTH_PREFIX + Wire.FRAME_HEADER + body.readableBytes();
        HeldFrame frame = new HeldFrame(body.retain(), bytes, this);
        if (type == Wire.REQUEST && waiting.isEmpty() && !closed && mayAdmit()) {
            admit(frame, body, flags, false); // nothing waits before it: the frame's one reference is the request's
            reconsiderReading();
            return;
        }
        waiting.add(new Waiting(frame, type == Wire.BATCH, flags, count));
        pump();
    }

    /**
     * Admits waiting requests while the limits allow, then decides whether to read on. I/O
     * thread only.
     */
    void pump() {
        replies.reconsider(); // woken, perhaps, because the server's replies have room again
        admitWaiting();
        reconsiderReading();
    }

    /** Admits waiting requests while the limits allow. I/O thread only. */
    private void admitWaiting() {
        while (!waiting.isEmpty() && !closed && mayAdmit()) {
            Waiting w = waiting.peek();
            BatchFrames.BatchItem next = next(w);
            w.frame.retain(); // the request's
            if (--w.left == 0) {
                waiting.poll();
                w.frame.release(); // the queue's
            }
            admit(w.frame, next.body(), next.flags(), w.batch);
        }
    }

    /** Takes one request of {@code frame} into dispatch; it holds one reference to the frame. */
    private void admit(HeldFrame frame, ByteBuf body, int flags, boolean batchItem) {
        Frames.RequestHeader header = Frames.readRequest(body, names);
        if ((flags & Wire.FLAG_COMPRESS_REPLY) != 0) {
            header = header.withCompressedReply();
        }
        if ((flags & Wire.FLAG_STREAM) != 0) {
            header = header.withStream();
        }
        if ((flags & Wire.FLAG_SEGMENTS) != 0 && (flags & Wire.FLAG_COMPRESSED) == 0) { // section 30
            header = header.withSegments();
        }
        if ((flags & Wire.FLAG_BY_REFERENCE) != 0 && link.isInProcess()) { // a reserved bit on a socket: ignored
            header = header.withByReference();
        }
        if ((flags & Wire.FLAG_ONEWAY) == 0 && !goingAway) {
            twoWayTaken++;
        }
        // A compressed payload stays so until the request runs: decompressing it is decoding.
        dispatch.admit(this, header, body, (flags & Wire.FLAG_ONEWAY) != 0, (flags & Wire.FLAG_COMPRESSED) != 0,
                frame, batchItem);
    }

    /** Whether one more request may enter dispatch now. */
    private boolean mayAdmit() {
        Limits limits = dispatch.limits;
        if (dispatching.get() >= limits.maxInFlightPerConnection()
                || replies.bytes() >= limits.maxReplyBytesPerConnection()) {
            return false;
        }
        if (replies.bytes() > 0 && dispatch.budget.repliesFull()) {
            dispatch.budget.await(this);
            if (dispatch.budget.repliesFull()) {
                return false;
            }
            dispatch.budget.forget(this);
        }
        return true;
    }

    /**
     * Pauses reading while frames wait (until they are admitted and half the slots are free
     * again), and while the request bytes held are past this connection's limit, or past the
     * server's while this connection holds some. I/O thread only.
     */
    private void reconsiderReading() {
        boolean dispatchFull = dispatchFull();
        boolean memoryFull = memoryFull();
        if ((dispatchFull || memoryFull) && !blocked) {
            // A request that ends, or gives back request bytes, on another thread counts itself
            // out and then has this thread look again only if it sees blocked set. Set it before
            // looking once more: either that request sees it, or this look sees the room it
            // made. Deciding on the first look alone could stop reading for good, with nothing
            // left in dispatch to wake it (the last requests ended in between).
            Consumer<Inbound> hook = beforeSecondLook;
            if (hook != null) {
                hook.accept(this);
            }
            blocked = true;
            admitWaiting();
            dispatchFull = dispatchFull();
            memoryFull = memoryFull();
        }
        blocked = dispatchFull || memoryFull;
        int paused = link.pausedFor();
        if (((paused & Link.PAUSE_DISPATCH) != 0) != dispatchFull) {
            link.pauseReading(Link.PAUSE_DISPATCH, dispatchFull);
        }
        if (((paused & Link.PAUSE_MEMORY) != 0) != memoryFull) {
            link.pauseReading(Link.PAUSE_MEMORY, memoryFull);
        }
    }

    /** Whether frames wait for admission, or reading paused for dispatch waits for half the slots. */
    private boolean dispatchFull() {
        return !waiting.isEmpty() || ((link.pausedFor() & Link.PAUSE_DISPATCH) != 0
                && dispatching.get() > dispatch.limits.maxInFlightPerConnection() / 2);
    }

    /**
     * Whether this connection holds its limit of request bytes, or holds some while the server
     * holds its own; in the latter case it waits to be told when the server has room.
     */
    private boolean memoryFull() {
        long h = held.get();
        if (h >= dispatch.limits.maxRequestBytesPerConnection()) {
            return true;
        }
        if (h > 0 && dispatch.budget.requestsFull()) {
            dispatch.budget.await(this);
            if (dispatch.budget.requestsFull()) {
                return true;
            }
            dispatch.budget.forget(this);
        }
        return false;
    }

    /** Has the I/O thread admit what it can and decide on reading again, soon, from any thread. */
    void reconsiderLater() {
        if (closed || !lookScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            link.eventLoop().execute(() -> {
                lookScheduled.set(false);
                if (!closed) {
                    try {
                        pump();
                    } catch (RuntimeException | Error e) {
                        Dispatch.log.error("{}: cannot admit requests; closing the connection", link, e);
                        link.close(dev.hermod.internal.bridge.Failures.connection("connection to " + link.remoteAddress()
                                + " closed after an internal error: " + e, e, false));
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            lookScheduled.set(false); // the I/O thread has stopped, and the channel with it
        }
    }

    // ---- counting ----

    /** {@code bytes} of requests are now held (a frame read, or a request decoded). */
    void hold(long bytes) {
        if (bytes == 0) {
            return;
        }
        held.addAndGet(bytes);
        dispatch.budget.addRequestBytes(bytes);
    }

    /** {@code bytes} of requests are no longer held. */
    void unhold(long bytes) {
        if (bytes == 0) {
            return;
        }
        long after = held.addAndGet(-bytes);
        dispatch.budget.releaseRequestBytes(bytes);
        if (blocked && after < dispatch.limits.maxRequestBytesPerConnection()) {
            reconsiderLater();
        }
    }

    /** Request bytes held now. */
    long held() {
        return held.get();
    }

    /**
     * Counts the estimated decoded size of a request about to be decoded (one estimated over
     * {@link Limits#SMALL}), unless it would take this connection or the server past its limit:
     * then returns false and the request is refused. One that is all its connection (or the
     * server) holds besides its own frame is never refused.
     *
     * @param ownBytes the bytes of the request's own frame, counted until it is decoded
     */
    boolean charge(long estimate, long ownBytes) {
        Limits limits = dispatch.limits;
        if (estimate > Limits.SMALL) {
            long others = held.get() - ownBytes;
            if (others > 0 && others + estimate > limits.maxRequestBytesPerConnection()) {
                return false;
            }
            long serverOthers = dispatch.budget.requestBytes() - ownBytes;
            if (serverOthers > 0 && serverOthers + estimate > limits.maxRequestBytes()) {
                return false;
            }
        }
        hold(estimate);
        return true;
    }

    /**
     * A request of this connection left dispatch. Any thread. Off the I/O thread, frames waiting
     * for a slot are taken up once half the slots are free, not one by one: waking the I/O
     * thread for each request that ends would cost more than the requests.
     */
    void ended() {
        int left = dispatching.decrementAndGet();
        if (blocked) {
            if (link.eventLoop().inEventLoop()) {
                pump();
            } else if (left <= dispatch.limits.maxInFlightPerConnection() / 2) {
                reconsiderLater();
            }
        }
        if (left == 0) {
            onIdle.run();
        }
    }

    /**
     * The connection closed: nobody is left to answer, so the work in dispatch stops, and the
     * frames still waiting are dropped. I/O thread.
     */
    public void close() {
        closed = true;
        dispatch.budget.forget(this);
        dispatch.scheduler.resume(tenant); // what waits runs, sees the cancellation and ends
        replies.resumeDeferred(); // and what waits for room ends without being encoded
        Waiting w;
        while ((w = waiting.poll()) != null) {
            admitOneways(w);
            w.frame.release(); // the queue's
        }
        pipelines.close();
        // Requests waiting for their turn on the executor still get it, see that they were
        // canceled, and end at once.
        for (Invocation inv : invocations.snapshot()) {
            if (!inv.isDeduplicated()) { // a deduplicated call runs on, for the same call sent again
                inv.cancel();
            }
        }
        log.flush();
    }

    /**
     * On close: admits the oneway requests of a frame that waited for admission, past this side's
     * limits. The peer handed them over and cannot learn that they were dropped, so a close must
     * not drop them (it may be the peer's graceful close, right after it wrote them); they were
     * read already, so they are few. Its two-way requests have nobody left to answer them, and
     * are dropped unrun. I/O thread only.
     */
    private void admitOneways(Waiting w) {
        for (; w.left > 0; w.left--) {
            BatchFrames.BatchItem next = next(w);
            if ((next.flags() & Wire.FLAG_ONEWAY) != 0) {
                w.frame.retain(); // the request's
                admit(w.frame, next.body(), next.flags(), w.batch);
            }
        }
    }

    /** The next request of a waiting frame, its body and flags: the frame itself, or a batch's next item. */
    private static BatchFrames.BatchItem next(Waiting w) {
        if (!w.batch) {
            return new BatchFrames.BatchItem(w.flags, w.frame.frame);
        }
        BatchFrames.BatchItem item = BatchFrames.nextBatchItem(w.frame.frame);
        return new BatchFrames.BatchItem(item.flags() & Wire.FLAG_ONEWAY, item.body()); // batch items are never compressed
    }

    /**
     * Runs after a reply was written: frames waiting for a slot may have one now. On the I/O
     * thread, or on the worker that wrote its reply itself ({@code DirectWrites}): that one has
     * the I/O thread look again only if reading stopped for waiting frames, as a request that
     * {@linkplain #ended ends} off the I/O thread does (the bytes and slot it gave back were
     * counted before it looks at {@code blocked}, see {@link #reconsiderReading}).
     */
    void replyWritten() {
        if (link.eventLoop().inEventLoop()) {
            if (!waiting.isEmpty()) {
                pump();
            }
        } else if (blocked) {
            reconsiderLater();
        }
    }

    /** A stream frame for one of the peer's requests (I/O thread); see {@link Dispatch#onStreamFrame}. */
    public void onStreamFrame(int type, dev.hermod.internal.protocol.StreamFrames.Address a, ByteBuf body) {
        dispatch.onStreamFrame(this, type, a.requestId(), a.slot(), body);
    }

    boolean isClosed() {
        return closed;
    }
}
