package dev.hermod.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flow control on the sending side of one connection: frames are handed to the channel while it
 * is writable and nothing waits before them; otherwise they are held back, in order, and written
 * as soon as it is writable again, up to a limit in bytes.
 *
 * <p>What a frame carries ({@link Parcel}) has the last word just before it is handed over: it
 * may have been withdrawn meanwhile, wholly or in part, and is then written smaller, or not at
 * all. A frame still held back can also be withdrawn at once ({@link #withdraw}), which frees its
 * bytes.
 *
 * <p>Thread-safe: frames may be offered from any thread; hand-overs happen under this object's
 * lock, so that nothing overtakes the frames held back, and so do the frames sent with
 * {@link #sendNow}, which therefore never overtake a frame already handed over.
 */
public final class Backlog {
    private static final Logger log = LoggerFactory.getLogger(Backlog.class);

    /** Where the frames go: the connection's link. */
    public interface Outlet {
        /** Whether the channel takes more bytes without queueing them beyond its high-water mark. */
        boolean isWritable();

        /**
         * Writes a complete frame; {@code written} learns whether it reached the socket, told as
         * the write completes (by the write of the batch the frame went out in).
         */
        void sendAndTell(ByteBuf frame, ChannelFutureListener written);

        /** A write that failed with {@code cause}, for frames dropped before reaching the channel. */
        ChannelFuture failedWrite(Throwable cause);

        /**
         * The frame to hold back in place of {@code frame}, whose maker may reuse its memory once
         * {@link #offer} returns: {@code frame} itself, or a copy of a frame made in a buffer the
         * outlet lent (the lent buffer stays the lender's).
         */
        default ByteBuf keep(ByteBuf frame) {
            return frame;
        }
    }

    /**
     * What a frame carries, as the backlog sees it. It listens to its own write, so that a
     * hand-over makes no listener object of its own.
     */
    public interface Parcel extends ChannelFutureListener {
        /**
         * Called under the backlog's lock just before the frame is handed to the channel: returns
         * the frame to write, {@code frame} itself or a smaller one made from it without what was
         * withdrawn, or null to write nothing. It releases what it does not return.
         */
        ByteBuf claim(ByteBuf frame);

        /**
         * Called under the lock when the frame it {@linkplain #claim claimed} is about to be handed
         * to the channel. What the peer may answer about must be settled here, not in
         * {@link #handedOver}: the outlet may write the frame on this very thread, and the peer's
         * answer may be read on the I/O thread before the hand-over returns.
         */
        default void handingOver() {}

        /**
         * Called under the lock right after the frame was handed to the channel; its write may
         * have been {@linkplain #written reported} already, and the peer's answer read.
         */
        void handedOver();

        /** Learns whether the frame reached the socket; a frame dropped at close learns it failed. */
        void written(ChannelFuture write);

        /** Called outside the lock after {@link #claim}: reports what it left out. */
        default void claimed() {}

        /** The write's listener: reports it to {@link #written}. */
        @Override
        default void operationComplete(ChannelFuture write) {
            written(write);
        }
    }

    /** A frame held back until the channel can take it; the ticket {@link #withdraw} takes. */
    private static final class Held {
        final ByteBuf frame;
        /** What it counts against the limit: its bytes, plus what else holding it costs. */
        final long length;
        final Parcel parcel;
        /** In the deque, not yet handed over. Guarded by the backlog. */
        boolean waiting;
        /** Withdrawn: its bytes are freed, and the entry is skipped when its turn comes. */
        boolean gone;

        Held(ByteBuf frame, Parcel parcel, long length) {
            this.frame = frame;
            this.length = length;
            this.parcel = parcel;
        }
    }

    private final Outlet outlet;
    private final long limit;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** Guarded by this. */
    private long bytes;
    /** Closing: nothing more is handed over. Guarded by this. */
    private Throwable closing;
    /**
     * A drain is running in this thread (the lock is reentrant): a write within it that makes the
     * channel writable again must not start another, which would hand the frames behind over, and
     * report them handed over, before the frame being written. Guarded by this.
     */
    private boolean draining;

    /**
     * @param outlet where frames are written
     * @param limit the most bytes held back for offers that may be refused
     */
    public Backlog(Outlet outlet, long limit) {
        this.outlet = outlet;
        this.limit = limit;
    }

    /**
     * Hands {@code frame} to the channel now if it can take it and nothing is held back;
     * otherwise holds it back (or a copy: {@link Outlet#keep}).
     *
     * @param mayRefuse whether to refuse the frame rather than hold it beyond the limit
     * @return {@link #REFUSED} if the frame was refused (it is neither written nor released); a
     *     ticket for {@link #withdraw} if it is held back; null if it was handed over or dropped
     */
    public Object offer(ByteBuf frame, Parcel parcel, boolean mayRefuse) {
        return offer(frame, parcel, mayRefuse, 0);
    }

    /**
     * As {@link #offer(ByteBuf, Parcel, boolean)}, counting {@code extraCost} bytes besides the
     * frame's own while it is held back: what else holding it costs (the calls it carries take
     * heap too).
     */
    public Object offer(ByteBuf frame, Parcel parcel, boolean mayRefuse, long extraCost) {
        Throwable closed;
        synchronized (this) {
            closed = closing;
            if (closed == null) {
                if (!held.isEmpty() || !outlet.isWritable()) {
                    long length = frame.readableBytes() + extraCost;
                    if (mayRefuse && bytes + length > limit) {
                        return REFUSED;
                    }
                    Held h = new Held(outlet.keep(frame), parcel, length); // only a frame held back needs one
                    held.add(h);
                    h.waiting = true;
                    bytes += length;
                    return h;
                }
                handOver(frame, parcel);
            }
        }
        if (closed != null) {
            frame.release();
            parcel.written(outlet.failedWrite(closed)); // fails what it carried, as never sent
            return null;
        }
        parcel.claimed();
        return null;
    }

    /**
     * Hands nothing more over: frames offered from now on fail as never written, with
     * {@code cause}. Runs {@code close} under the lock, so that it follows every hand-over made
     * so far; it must queue the close behind the writes already queued.
     */
    public void closeAfterHandedOver(Throwable cause, Runnable close) {
        synchronized (this) {
            if (closing == null) {
                closing = cause;
            }
            close.run();
        }
    }

    /** What {@link #offer} returns for a refused frame. */
    public static final Object REFUSED = new Object();

    /** Under the lock: lets the parcel claim the frame, and hands over what it keeps. */
    private void handOver(ByteBuf offered, Parcel parcel) {
        ByteBuf frame = parcel.claim(offered);
        if (frame != null) {
            parcel.handingOver();
            outlet.sendAndTell(frame, parcel);
            parcel.handedOver();
        }
    }

    /** The channel became writable: hands over what is held back, in order, while it stays so. */
    public void writable() {
        List<Parcel> claimed = new ArrayList<>();
        synchronized (this) { // handed over here, under the lock, so that nothing overtakes the backlog
            if (draining) {
                return; // Netty reports writability within the drain's own flush: the drain goes on
            }
            draining = true;
            try {
                while (!held.isEmpty() && outlet.isWritable()) {
                    Held h = held.poll();
                    h.waiting = false;
                    if (!h.gone) {
                        bytes -= h.length;
                        handOver(h.frame, h.parcel);
                        claimed.add(h.parcel);
                    }
                }
            } finally {
                draining = false;
            }
        }
        claimed.forEach(Parcel::claimed);
    }

    /**
     * Drops a frame still held back, given the ticket {@link #offer} returned, and frees its
     * bytes; does nothing if it has been handed over.
     *
     * @return whether it was still held back
     */
    public boolean withdraw(Object ticket) {
        Held h = (Held) ticket;
        synchronized (this) {
            if (h.gone || !h.waiting) {
                return false;
            }
            h.gone = true;
            bytes -= h.length;
        }
        h.frame.release();
        return true;
    }

    /** Sends a control frame now, ahead of what is held back but after what was handed over. */
    public synchronized void sendNow(ByteBuf frame, ChannelFutureListener written) {
        outlet.sendAndTell(frame, written);
    }

    /**
     * The connection closed: releases what is held back and reports each frame as not written;
     * a frame offered from now on fails so at once (its sender may have looked at the connection
     * before it closed, and would otherwise be held here for good).
     */
    public void drop(Throwable cause) {
        List<Held> dropped;
        synchronized (this) {
            if (closing == null) {
                closing = cause;
            }
            dropped = new ArrayList<>(held);
            held.clear();
            bytes = 0;
            dropped.forEach(h -> h.waiting = false);
        }
        for (Held h : dropped) {
            if (h.gone) {
                continue;
            }
            h.frame.release();
            try {
                h.parcel.written(outlet.failedWrite(cause)); // fails what it carried
            } catch (RuntimeException e) {
                log.warn("{}: failed to report a dropped write", outlet, e);
            }
        }
    }

    /** Bytes held back now. */
    public synchronized long bytes() {
        return bytes;
    }

    /** The most bytes held back for offers that may be refused. */
    public long limit() {
        return limit;
    }
}
