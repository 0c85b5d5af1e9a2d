package dev.hermod.internal.dispatch;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A request frame kept until every request it carries is decoded (one for a REQUEST, each item
 * of a BATCH), with its bytes counted against the connection's and the server's limits while it
 * is. Thread-safe.
 */
final class HeldFrame {
    private static final VarHandle REFS;

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(HeldFrame.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ByteBuf frame;
    final int bytes;
    private final Inbound owner;
    /** The requests of the frame not yet decoded: {@link #REFS}. */
    private volatile int refs = 1;

    /** Takes over one reference to {@code frame}, counting {@code bytes}. */
    HeldFrame(ByteBuf frame, int bytes, Inbound owner) {
        this.frame = frame;
        this.bytes = bytes;
        this.owner = owner;
        owner.hold(bytes);
    }

    /** Another request of the frame is on its way. */
    void retain() {
        REFS.getAndAdd(this, 1);
    }

    /** A request of the frame is decoded (or dropped); the last one frees the frame. */
    void release() {
        if ((int) REFS.getAndAdd(this, -1) == 1) {
            frame.release();
            owner.unhold(bytes);
        }
    }
}
