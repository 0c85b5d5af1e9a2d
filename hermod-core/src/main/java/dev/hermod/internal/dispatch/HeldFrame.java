package dev.hermod.internal.dispatch;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request frame kept until every request it carries is decoded (one for a REQUEST, each item
 * of a BATCH), with its bytes counted against the connection's and the server's limits while it
 * is. Thread-safe.
 */
final class HeldFrame {
    final ByteBuf frame;
    final int bytes;
    private final Inbound owner;
    private final AtomicInteger refs = new AtomicInteger(1);

    /** Takes over one reference to {@code frame}, counting {@code bytes}. */
    HeldFrame(ByteBuf frame, int bytes, Inbound owner) {
        this.frame = frame;
        this.bytes = bytes;
        this.owner = owner;
        owner.hold(bytes);
    }

    /** Another request of the frame is on its way. */
    void retain() {
        refs.incrementAndGet();
    }

    /** A request of the frame is decoded (or dropped); the last one frees the frame. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            frame.release();
            owner.unhold(bytes);
        }
    }
}
