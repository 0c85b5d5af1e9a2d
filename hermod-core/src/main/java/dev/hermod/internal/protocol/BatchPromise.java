package dev.hermod.internal.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelProgressivePromise;

/**
 * The promise of one of {@link Outbound}'s writes that waiters learn of: the promises of the
 * frames copied into a batch, and the listeners of frames sent with one
 * ({@link Outbound#send(io.netty.buffer.ByteBuf, ChannelFutureListener)}).
 * They learn as the write completes, within the call that completes it: not through a listener
 * of this promise, which Netty may run later (past a depth of nested notifications, it hands
 * them to the event loop), so a frame's writer knows how its write went before the link
 * reports its close. Completed on the channel's I/O thread.
 *
 * <p>A batch may be cut: the connection fails after the socket took part of it, and Netty fails
 * the whole write. The frames the socket took whole may have reached the peer and been read (a
 * request run), so their writers are told that their write succeeded, and only the frames past
 * the cut fail: a request counted never sent is sent again, and must not have run. Netty reports
 * how much of a message the socket has taken to its promise as progress, when the promise is a
 * progressive one ({@code ChannelOutboundBuffer.removeBytes}), before it fails the promise of a
 * message cut; this promise keeps the latest. A handler that writes other messages in place of
 * the batch (TLS) reports none, which is why over TLS {@link Outbound} batches only the frames
 * nobody waits for.
 */
final class BatchPromise extends DefaultChannelProgressivePromise {
    /** Each a {@link ChannelPromise} or a {@link ChannelFutureListener}. */
    private final Object[] waiters;
    /**
     * Where each waiter's frame ends in the batch, in bytes; null when every waiter's frame ends
     * where the write does (a frame written on its own).
     */
    private final int[] ends;
    /** The bytes of the write the socket has taken, as Netty last reported. */
    private long progress;

    BatchPromise(Channel channel, Object[] waiters, int[] ends) {
        super(channel);
        this.waiters = waiters;
        this.ends = ends;
    }

    /**
     * Keeps the progress, and reports it to nobody: nobody listens for it, and finding that out
     * takes this promise's lock, at every socket write.
     */
    @Override
    public boolean tryProgress(long progress, long total) {
        if (progress < 0 || isDone()) {
            return false;
        }
        this.progress = progress;
        return true;
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
    public ChannelProgressivePromise setSuccess(Void result) {
        if (!trySuccess(result)) {
            throw new IllegalStateException("complete already: " + this);
        }
        return this;
    }

    @Override
    public ChannelProgressivePromise setFailure(Throwable cause) {
        if (!tryFailure(cause)) {
            throw new IllegalStateException("complete already: " + this, cause);
        }
        return this;
    }

    private void tellWaiters() {
        Throwable cause = cause();
        for (int i = 0; i < waiters.length; i++) {
            Object w = waiters[i];
            // A frame the socket took whole before the write failed was written.
            boolean written = cause == null || ends != null && ends[i] <= progress;
            if (w instanceof ChannelPromise p) {
                if (written) {
                    p.trySuccess();
                } else {
                    p.tryFailure(cause);
                }
            } else {
                Outbound.tell((ChannelFutureListener) w, written && cause != null ? channel().newSucceededFuture() : this);
            }
        }
    }
}
