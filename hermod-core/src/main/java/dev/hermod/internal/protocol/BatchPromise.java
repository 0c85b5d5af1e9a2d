package dev.hermod.internal.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;

/**
 * The promise of one of {@link Outbound}'s writes that waiters learn of: the promises of the
 * frames copied into a batch, and the listeners of frames sent with one
 * ({@link Outbound#send(io.netty.buffer.ByteBuf, ChannelFutureListener)}).
 * They learn as the write completes, within the call that completes it: not through a listener
 * of this promise, which Netty may run later (past a depth of nested notifications, it hands
 * them to the event loop), so a frame's writer knows how its write went before the link
 * reports its close. Completed on the channel's I/O thread.
 */
final class BatchPromise extends DefaultChannelPromise {
    /** The first {@link #count}: each a {@link ChannelPromise} or a {@link ChannelFutureListener}. */
    private final Object[] waiters;
    private final int count;
    /** Takes the array back once the waiters are told, to hold a later batch's; null if none does. */
    private final Outbound lender;

    /**
     * A promise telling the first {@code count} of {@code waiters}; {@code lender}, if not null,
     * lent the array and gets it back, cleared, once they are told on the channel's I/O thread.
     */
    BatchPromise(Channel channel, Object[] waiters, int count, Outbound lender) {
        super(channel);
        this.waiters = waiters;
        this.count = count;
        this.lender = lender;
    }

    @Override
    public boolean trySuccess(Void result) {
        if (!super.trySuccess(result)) {
            return false;
        }
        tellWaiters();
        return true;
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        if (!super.tryFailure(cause)) {
            return false;
        }
        tellWaiters();
        return true;
    }

    @Override
    public ChannelPromise setSuccess(Void result) {
        if (!trySuccess(result)) {
            throw new IllegalStateException("complete already: " + this);
        }
        return this;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        if (!tryFailure(cause)) {
            throw new IllegalStateException("complete already: " + this, cause);
        }
        return this;
    }

    private void tellWaiters() {
        Throwable cause = cause();
        for (int i = 0; i < count; i++) {
            Object w = waiters[i];
            if (w instanceof ChannelPromise p) {
                if (cause == null) {
                    p.trySuccess();
                } else {
                    p.tryFailure(cause);
                }
            } else {
                Outbound.tell((ChannelFutureListener) w, this);
            }
        }
        if (lender != null && channel().eventLoop().inEventLoop()) {
            java.util.Arrays.fill(waiters, 0, count, null);
            lender.recycle(waiters);
        }
    }
}
