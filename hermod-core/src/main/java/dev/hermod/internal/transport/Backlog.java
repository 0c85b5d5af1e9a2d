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
 * <p>Thread-safe: frames may be offered from any thread; the writes happen under this object's
 * lock, so that nothing overtakes the frames held back.
 */
public final class Backlog {
    private static final Logger log = LoggerFactory.getLogger(Backlog.class);

    /** Where the frames go: the connection's link. */
    public interface Outlet {
        /** Whether the channel takes more bytes without queueing them beyond its high-water mark. */
        boolean isWritable();

        /** Writes a complete frame; {@code written} learns whether it reached the socket. */
        void send(ByteBuf frame, ChannelFutureListener written);

        /** A write that failed with {@code cause}, for frames dropped before reaching the channel. */
        ChannelFuture failedWrite(Throwable cause);
    }

    /** A frame held back until the channel can take it. */
    private record Held(ByteBuf frame, int length, ChannelFutureListener written, Runnable handedOver) {}

    private final Outlet outlet;
    private final long limit;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** Guarded by this. */
    private long bytes;

    /**
     * @param outlet where frames are written
     * @param limit the most bytes held back for offers that may be refused
     */
    public Backlog(Outlet outlet, long limit) {
        this.outlet = outlet;
        this.limit = limit;
    }

    /**
     * Writes {@code frame} now if the channel can take it and nothing is held back; otherwise
     * holds it back. {@code handedOver} runs once the frame is handed to the channel.
     *
     * @param mayRefuse whether to refuse the frame rather than hold it beyond the limit
     * @return false if the frame was refused: it is neither written nor released
     */
    public boolean offer(ByteBuf frame, boolean mayRefuse, ChannelFutureListener written, Runnable handedOver) {
        int length = frame.readableBytes();
        synchronized (this) {
            if (held.isEmpty() && outlet.isWritable()) {
                outlet.send(frame, written);
                handedOver.run();
                return true;
            }
            if (!mayRefuse || bytes + length <= limit) {
                held.add(new Held(frame, length, written, handedOver));
                bytes += length;
                return true;
            }
        }
        return false;
    }

    /** The channel became writable: writes what is held back, in order, while it stays so. */
    public void writable() {
        synchronized (this) { // written here, under the lock, so that nothing overtakes the backlog
            while (!held.isEmpty() && outlet.isWritable()) {
                Held h = held.poll();
                bytes -= h.length();
                outlet.send(h.frame(), h.written());
                h.handedOver().run();
            }
        }
    }

    /** The connection closed: releases what is held back and reports each frame as not written. */
    public void drop(Throwable cause) {
        List<Held> dropped;
        synchronized (this) {
            dropped = new ArrayList<>(held);
            held.clear();
            bytes = 0;
        }
        for (Held h : dropped) {
            h.frame().release();
            try {
                h.written().operationComplete(outlet.failedWrite(cause)); // fails what it carried
            } catch (Exception e) {
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
