package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;
import java.nio.channels.ClosedChannelException;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Frames waiting here do not count towards the channel's writability; the task that writes
 * them runs as soon as the I/O thread is free, and they count from then on.
 *
 * <p>Thread-safe.
 */
final class Outbound {
    /** A frame whose writer wants to learn how its write went. */
    private record Promised(ByteBuf frame, ChannelPromise promise) {}

    private final Channel channel;
    private final EventLoop loop;
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
        queue.offer(promise.isVoid() ? frame : new Promised(frame, promise));
        schedule();
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
        try {
            Object next;
            while ((next = queue.poll()) != null) {
                wrote |= write(next);
            }
        } finally {
            draining = false;
        }
        return wrote;
    }

    @SuppressWarnings("unchecked")
    private boolean write(Object entry) {
        if (entry instanceof ByteBuf frame) {
            channel.write(frame, channel.voidPromise());
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
        while ((next = queue.poll()) != null) {
            if (next instanceof ByteBuf frame) {
                ReferenceCountUtil.release(frame);
            } else if (next instanceof Promised p) {
                ReferenceCountUtil.release(p.frame());
                p.promise().tryFailure(cause);
            }
        }
    }
}
