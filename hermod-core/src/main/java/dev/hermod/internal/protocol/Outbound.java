package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;
import java.nio.channels.ClosedChannelException;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The frames a link writes, in the order they were handed over, written by the channel's I/O
 * thread in batches. Frames from other threads wait in one queue, and one task writes all that are
 * there and flushes once, where Netty's own {@code writeAndFlush} from another thread costs a task
 * object, a task-queue entry, a trip through the pipeline's flush consolidation and often a
 * wake-up of the I/O thread per frame.
 *
 * <p>Order is the order of hand-over, whatever the thread: a frame is written after every frame
 * handed over before it. On the I/O thread a frame is written at once when none waits; when some
 * do, they are written first. A frame that must be made on the I/O thread (a progress report that
 * carries the latest fraction, say) is handed over as a {@linkplain #sendLater supplier} and made
 * when its turn comes, so a frame its thread hands over afterwards (the reply) still goes after
 * it. Netty's write tasks keep each thread's program order across tasks; this queue keeps it
 * across threads too.
 *
 * <p>Frames waiting here count towards the channel's writability from the moment they are handed
 * over, as Netty's own write tasks do: past the channel's high-water mark of waiting bytes, a
 * flag of the channel's outbound buffer makes it unwritable (and Netty reports the change) until
 * the I/O thread has written them, where the outbound buffer counts them itself.
 *
 * <p>Thread-safe.
 */
final class Outbound {
    /** A frame whose writer wants to learn how its write went. */
    private record Promised(ByteBuf frame, ChannelPromise promise) {}

    /**
     * A write's promise that carries its frame to the I/O thread, so that a frame handed over
     * from another thread with a promise needs no {@link Promised} of its own (one object less
     * per request and per reply). The frame is set by {@link #send} and taken when written.
     */
    static final class FramePromise extends DefaultChannelPromise {
        private ByteBuf frame;

        FramePromise(Channel channel) {
            super(channel);
        }
    }

    /** The outbound buffer's user-defined writability flag this queue clears while it holds too much. */
    static final int WRITABILITY_FLAG = 1;

    private final Channel channel;
    private final EventLoop loop;
    /** Null for a channel already closed when this was made: nothing is written to it then. */
    private final ChannelOutboundBuffer buffer;
    /** Bytes of the frames waiting in the queue; counted before a frame is queued, so never too few. */
    private final AtomicLong waitingBytes = new AtomicLong();
    /** Entries: a {@link ByteBuf} (nobody waits for its write), a {@link Promised} or a {@link Supplier}. */
    private final Queue<Object> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainAndFlush;
    /** Whether the I/O thread is writing what waits. I/O thread only. */
    private boolean draining;
    /** Where the batch's flush starts: past the flush consolidation, which the batch needs no longer. */
    private ChannelHandlerContext flushFrom;

    Outbound(Channel channel) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.buffer = channel.unsafe().outboundBuffer();
    }

    /** Writes {@code frame} after the frames handed over before it, then flushes; {@code promise} learns the outcome. */
    void send(ByteBuf frame, ChannelPromise promise) {
        if (loop.inEventLoop()) {
            if (!draining && !queue.isEmpty()) {
                drain(); // the frames handed over before this one go first
            }
            // Through the flush consolidation: replies written while a read is in progress go out together.
            channel.writeAndFlush(frame, promise);
            return;
        }
        count(frame.readableBytes());
        Object entry;
        if (promise.isVoid()) {
            entry = frame;
        } else if (promise instanceof FramePromise p && p.frame == null) {
            p.frame = frame; // seen by the I/O thread through the queue
            entry = p;
        } else {
            entry = new Promised(frame, promise);
        }
        queue.offer(entry);
        schedule();
    }

    /**
     * Counts {@code bytes} more waiting, and makes the channel unwritable if that is too much.
     * The flag is cleared by whoever sees the count below the mark after setting it, or by the
     * drain that takes the count below it: the last to act sees the count, so the flag never
     * stays set over an empty queue.
     */
    private void count(int bytes) {
        long waiting = waitingBytes.addAndGet(bytes);
        if (buffer != null && waiting >= highWaterMark() && buffer.getUserDefinedWritability(WRITABILITY_FLAG)) {
            buffer.setUserDefinedWritability(WRITABILITY_FLAG, false);
            if (waitingBytes.get() < highWaterMark()) { // drained meanwhile, maybe before the flag was set
                buffer.setUserDefinedWritability(WRITABILITY_FLAG, true);
            }
        }
    }

    /** The count of {@code bytes} written from the queue, which the outbound buffer now counts. */
    private void uncount(long bytes) {
        if (bytes == 0) {
            return;
        }
        long waiting = waitingBytes.addAndGet(-bytes);
        if (buffer != null && waiting < highWaterMark() && !buffer.getUserDefinedWritability(WRITABILITY_FLAG)) {
            buffer.setUserDefinedWritability(WRITABILITY_FLAG, true);
        }
    }

    private int highWaterMark() {
        return channel.config().getWriteBufferHighWaterMark();
    }

    /** Bytes of the frames handed over from other threads and not yet written. */
    long waitingBytes() {
        return waitingBytes.get();
    }

    /**
     * Hands over a frame made on the I/O thread when its turn comes, after every frame handed over
     * before this call and before every frame handed over after it. {@code frame} may return null:
     * nothing is written then. It must not block or send.
     */
    void sendLater(Supplier<ByteBuf> frame) {
        queue.offer(frame);
        schedule();
    }

    /**
     * On the I/O thread: writes, without flushing, every frame still waiting. Called before
     * something else is written past the queue (a close, say) that must go after them.
     */
    void writeWaiting() {
        if (!draining && !queue.isEmpty()) {
            drain();
        }
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drainTask);
            } catch (RejectedExecutionException e) { // the I/O thread has stopped, and the channel with it
                scheduled.set(false);
                failAll(new ClosedChannelException());
            }
        }
    }

    /** The task: writes every waiting frame, flushes once, and repeats for frames that came meanwhile. */
    private void drainAndFlush() {
        while (true) {
            if (drain()) {
                flush();
            }
            scheduled.set(false);
            // A frame handed over after the last poll, by a thread that saw this task scheduled:
            // this task writes it, unless that thread has scheduled another since.
            if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /** Writes what waits, in order; returns whether it wrote anything. I/O thread only. */
    private boolean drain() {
        draining = true;
        boolean wrote = false;
        long bytes = 0;
        try {
            Object next;
            while ((next = queue.poll()) != null) {
                bytes += queuedBytes(next);
                wrote |= write(next);
            }
        } finally {
            draining = false;
            uncount(bytes);
        }
        return wrote;
    }

    /** What {@link #count} counted for a queue entry. */
    private static int queuedBytes(Object entry) {
        if (entry instanceof ByteBuf frame) {
            return frame.readableBytes();
        }
        if (entry instanceof FramePromise p) {
            return p.frame.readableBytes();
        }
        return entry instanceof Promised p ? p.frame().readableBytes() : 0;
    }

    @SuppressWarnings("unchecked")
    private boolean write(Object entry) {
        if (entry instanceof ByteBuf frame) {
            channel.write(frame, channel.voidPromise());
            return true;
        }
        if (entry instanceof FramePromise p) {
            ByteBuf frame = p.frame;
            p.frame = null; // the promise may be kept long after its write; the frame is not
            channel.write(frame, p);
            return true;
        }
        if (entry instanceof Promised p) {
            channel.write(p.frame(), p.promise());
            return true;
        }
        ByteBuf made;
        try {
            made = ((Supplier<ByteBuf>) entry).get();
        } catch (RuntimeException e) {
            // A frame that could not be made is not sent; the frames around it still are.
            org.slf4j.LoggerFactory.getLogger(Outbound.class).warn("{}: cannot make a frame; skipped", channel, e);
            return false;
        }
        if (made == null) {
            return false;
        }
        channel.write(made, channel.voidPromise());
        return true;
    }

    private void flush() {
        ChannelHandlerContext from = flushFrom;
        if (from == null || from.isRemoved()) {
            from = channel.pipeline().context(Link.FLUSHES);
            flushFrom = from;
        }
        if (from != null) {
            from.flush(); // starts at the handler before the consolidation: the batch is the consolidation
        } else {
            channel.flush();
        }
    }

    private void failAll(Throwable cause) {
        Object next;
        long bytes = 0;
        while ((next = queue.poll()) != null) {
            bytes += queuedBytes(next);
            if (next instanceof ByteBuf frame) {
                ReferenceCountUtil.release(frame);
            } else if (next instanceof FramePromise p) {
                ReferenceCountUtil.release(p.frame);
                p.frame = null;
                p.tryFailure(cause);
            } else if (next instanceof Promised p) {
                ReferenceCountUtil.release(p.frame());
                p.promise().tryFailure(cause);
            }
        }
        uncount(bytes);
    }
}
