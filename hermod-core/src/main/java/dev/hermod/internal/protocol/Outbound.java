package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;
import java.nio.channels.ClosedChannelException;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The frames a link writes, in the order they were handed over, written by the channel's I/O
 * thread in batches: frames from other threads wait in a queue, and one task writes all that
 * are there and flushes once. Netty's own {@code writeAndFlush} from another thread costs a task
 * object, a queue entry and often a wake-up of the I/O thread per frame; with many calls in
 * flight, one task now carries many frames.
 *
 * <p>Order: a frame is written after every frame handed over before it, by any thread. On the
 * I/O thread a frame is written at once when none waits; otherwise it waits behind them. A task
 * another thread gives the I/O thread after handing over a frame runs after that frame is written
 * (the drain task was scheduled before it, or is running and drains it).
 *
 * <p>Thread-safe.
 */
final class Outbound {
    private final Channel channel;
    private final Queue<Object[]> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    Outbound(Channel channel) {
        this.channel = channel;
    }

    /** Writes {@code frame} after the frames handed over before it, then flushes; {@code promise} learns the outcome. */
    void send(ByteBuf frame, ChannelPromise promise) {
        if (channel.eventLoop().inEventLoop() && queue.isEmpty()) {
            channel.writeAndFlush(frame, promise);
            return;
        }
        queue.offer(new Object[] {frame, promise});
        if (scheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drain);
            } catch (RejectedExecutionException e) { // the I/O thread has stopped, and the channel with it
                scheduled.set(false);
                failAll(new ClosedChannelException());
            }
        }
    }

    /** On the I/O thread: writes every waiting frame, then flushes once. */
    private void drain() {
        while (true) {
            boolean wrote = false;
            Object[] next;
            while ((next = queue.poll()) != null) {
                channel.write(next[0], (ChannelPromise) next[1]);
                wrote = true;
            }
            if (wrote) {
                channel.flush();
            }
            scheduled.set(false);
            // A frame handed over after the last poll, by a thread that saw the task scheduled:
            // this task writes it, unless another has been scheduled meanwhile.
            if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private void failAll(Throwable cause) {
        Object[] next;
        while ((next = queue.poll()) != null) {
            ReferenceCountUtil.release(next[0]);
            ChannelPromise promise = (ChannelPromise) next[1];
            if (!promise.isVoid()) {
                promise.tryFailure(cause);
            }
        }
    }
}
