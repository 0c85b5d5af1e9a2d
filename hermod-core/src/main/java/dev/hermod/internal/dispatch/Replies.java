package dev.hermod.internal.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The replies of one connection ({@link Inbound}): the bytes they hold from the moment room is
 * taken for one until it is written to the socket, and the replies that wait for room.
 *
 * <h2>A peer that reads no replies holds little</h2>
 * Room is taken ({@link #reserve()}) before a result is encoded, by an estimate of its size, so
 * that the replies of requests answered at once cannot all be encoded into direct memory; past
 * {@link Limits#maxReplyBytesPerConnection} (or the server's {@link Limits#maxReplyBytes} while
 * this connection has some) a result waits as an object ({@link #defer}) until written replies
 * make room, and none of the connection's requests starts meanwhile (the fair scheduler
 * {@linkplain FairScheduler#pause pauses} it). So a peer that stops reading holds about its limit
 * in direct memory, and the results of the requests that were running when it stopped on the heap.
 * Thread-safe.
 */
final class Replies {
    /** The least room taken for a reply about to be encoded. */
    static final long MIN_ESTIMATE = 16 * 1024;

    private final Inbound connection;
    private final Dispatch dispatch;
    /** Bytes of replies handed to the transport and not yet written, and room taken for replies being encoded. */
    private final AtomicLong bytes = new AtomicLong();
    /**
     * The room a reply about to be encoded takes: about the size of the last ones, quick to grow
     * and slow to shrink; until the first is known, the whole of the connection's limit, so that
     * a burst of requests answered at once is encoded one by one until then.
     */
    private volatile long estimate;
    private volatile boolean sized;
    /** Replies deferred and not yet encoded: waiting in {@link #deferred}, or resumed and not yet run. */
    private final AtomicInteger deferredCount = new AtomicInteger();
    /** Replies that found no room, waiting to be encoded. */
    private final ConcurrentLinkedQueue<Runnable> deferred = new ConcurrentLinkedQueue<>();
    /**
     * Runs, when set, in {@link #reconsider()} when it has found that the connection's requests
     * should wait, before it says so. Tests set it to widen the race the look after closes; null
     * otherwise.
     */
    static volatile Consumer<Replies> beforePause;
    /**
     * Runs, when set, in {@link #reserve()} once it has taken room, on the thread about to encode
     * the reply. Tests set it to hold a reply that will not be sent after all (another answered
     * the request meanwhile) while it blocks the connection's requests; null otherwise.
     */
    static volatile Consumer<Inbound> afterReserve;

    Replies(Inbound connection) {
        this.connection = connection;
        this.dispatch = connection.dispatch;
        this.estimate = Math.max(MIN_ESTIMATE, dispatch.limits.maxReplyBytesPerConnection());
    }

    /** Bytes held now: unwritten replies and room taken. */
    long bytes() {
        return bytes.get();
    }

    /**
     * Sends a reply frame and counts its bytes until it is written; {@code written} runs then
     * (or when the write fails), on the I/O thread. {@code reserved} is the room
     * {@link #reserve()} took for it, or 0. (A frame sent this way is never written by the
     * sending thread itself: only the frame of a
     * {@link dev.hermod.internal.protocol.FrameListener} may be.)
     */
    void send(ByteBuf frame, long reserved, Runnable written) {
        int size = frame.capacity();
        send(frame, reserved, (ChannelFuture f) -> {
            written(size);
            written.run();
            connection.replyWritten();
        });
    }

    /**
     * Sends a reply frame and counts its {@linkplain ByteBuf#capacity() capacity} until it is
     * written; {@code written} learns of the write (or of its failure), on the I/O thread, or on
     * this thread if it wrote the frame itself ({@link Invocation#writeNow}), and
     * must give the count back through {@link #written(int)}: it reads the capacity before this
     * call, as the write may end before this returns. One listener for both saves a reply the
     * objects of its own the other form makes.
     */
    void send(ByteBuf frame, long reserved, ChannelFutureListener written) {
        // The memory held is the buffer's capacity: a reply encoded into a growing buffer may
        // hold up to twice what it carries (256 KiB of result in a buffer of 512 KiB).
        int size = frame.capacity();
        if (reserved > 0) {
            long e = sized ? estimate : 0;
            estimate = Math.max(MIN_ESTIMATE, Math.max(size, e - e / 16));
            sized = true;
        }
        bytes.addAndGet(size - reserved);
        dispatch.budget.addReplyBytes(size - reserved);
        reconsider();
        connection.link.sendAndTell(frame, written);
    }

    /** A reply of {@code size} bytes ({@link #send}) is written, or failed: its bytes are free. Any thread. */
    void written(int size) {
        bytes.addAndGet(-size);
        dispatch.budget.releaseReplyBytes(size);
        reconsider();
    }

    /**
     * Takes room for a reply about to be encoded and returns how much; or returns -1 when this
     * connection's replies, with those being encoded, are at their limit, or the server's at its
     * limit while this connection has some: the reply is then {@linkplain #defer deferred}. A
     * reply alone always has room. Any thread.
     */
    long reserve() {
        long e = estimate;
        while (true) {
            long r = bytes.get();
            if (r > 0 && !roomFor(r, e)) {
                return -1;
            }
            if (bytes.compareAndSet(r, r + e)) {
                dispatch.budget.addReplyBytes(e);
                Consumer<Inbound> hook = afterReserve;
                if (hook != null) {
                    hook.accept(connection);
                }
                return e;
            }
        }
    }

    private boolean roomFor(long r, long e) {
        return connection.isClosed() || r + e <= dispatch.limits.maxReplyBytesPerConnection()
                && !dispatch.budget.repliesFull();
    }

    /**
     * Gives back room {@link #reserve()} took for a reply that is not sent after all (another
     * reply answered the request meanwhile). Any thread.
     */
    void release(long reserved) {
        if (reserved > 0) {
            bytes.addAndGet(-reserved);
            dispatch.budget.releaseReplyBytes(reserved);
            reconsider();
            // Request frames may wait for this room (one reservation can be the whole limit), and
            // no written reply follows to have them admitted: the one that won was written while
            // the room was still taken, and the connection may have nothing else going on.
            connection.reconsiderLater();
        }
    }

    /**
     * Runs {@code encode} on the servants' executor once there is room again (see
     * {@link #reserve()}); it reserves room itself, or is deferred once more. Any thread.
     */
    void defer(Runnable encode) {
        deferredCount.incrementAndGet();
        deferred.add(encode);
        reconsider(); // no request starts while replies wait to be encoded
    }

    /**
     * Whether the connection's requests should wait: its replies are past its limit, or past
     * the server's while it has some (it then waits to be told of room), or wait to be encoded.
     */
    private boolean full() {
        long r = bytes.get();
        boolean full = deferredCount.get() > 0 || r >= dispatch.limits.maxReplyBytesPerConnection();
        if (r > 0 && dispatch.budget.repliesFull()) {
            dispatch.budget.await(connection); // woken when the server's replies have room
            full |= dispatch.budget.repliesFull();
        }
        return full;
    }

    /** Replies not yet written, or waiting to be encoded; for tests. */
    boolean pending() {
        return bytes.get() > 0 || deferredCount.get() > 0;
    }

    /** Starts a deferred reply if there seems to be room; it takes the room itself, or waits again. */
    void resumeDeferred() {
        while (!deferred.isEmpty()) {
            long r = bytes.get();
            if (r > 0 && !roomFor(r, estimate)) {
                return; // a reply still to be written resumes it, or the server's budget
            }
            Runnable encode = deferred.poll();
            if (encode == null) {
                return;
            }
            Runnable resumed = () -> {
                try {
                    encode.run();
                } finally {
                    deferredCount.decrementAndGet();
                    reconsider();
                }
            };
            try {
                dispatch.executor.execute(resumed);
            } catch (RejectedExecutionException e) {
                Executors2.runRefused(resumed);
            }
            if (!connection.isClosed()) {
                return; // one at a time: its reservation counts before the next looks
            }
        }
    }

    /**
     * Pauses the start of this connection's requests while its replies wait to be written past
     * its limit, or past the server's while it has some, or wait to be encoded; resumes them
     * once they do not (see {@link FairScheduler#pause}); and starts a deferred reply if there is
     * room. Any thread.
     */
    void reconsider() {
        boolean full = full();
        if (full) {
            Consumer<Replies> hook = beforePause;
            if (hook != null) {
                hook.accept(this);
            }
        }
        dispatch.scheduler.pause(connection.tenant, full && !connection.isClosed());
        if (full && !full()) {
            // Room was made between the look and the pause, and whoever made it may have resumed
            // the requests before this paused them: looked at again after the pause, the room is
            // seen here, or it is made later and whoever makes it resumes them after this.
            dispatch.scheduler.pause(connection.tenant, false);
        }
        if (!deferred.isEmpty()) {
            resumeDeferred();
        }
    }
}
