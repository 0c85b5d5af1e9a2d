package dev.hermod.internal.protocol;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

/**
 * The buffers of small frames built on the callers' own threads: requests of a few hundred bytes,
 * and the replies servants' workers make, which the I/O thread copies into its batch of writes and
 * releases at once (see {@link Outbound}). Each is a plain heap array, taken and dropped like any
 * short-lived object.
 *
 * <p>Netty's pooled allocator, fast on its own event loops, serves a thread that is not one of
 * them from shared pools under a lock, and the buffer then goes back to the pool from the I/O
 * thread; it also samples its buffers for leak tracking, which records a stack trace. For a small
 * request that cost more than the request itself: in hermod-bench's {@code throughput}, a pooled
 * buffer per request took about 9% of the calling thread and 3% of the client's I/O thread (see
 * {@code hermod-bench/README.md}, 2026-12-05 afternoon). A heap array costs a bump of the calling
 * thread's allocation pointer and some garbage instead; large frames, which are written to the
 * socket as they are, still come from the pooled, direct allocator.
 *
 * <p>The buffers index their arrays plainly, not through {@code sun.misc.Unsafe}, which Netty does
 * not use on JDK 24 and later (an {@code UnpooledUnsafeHeapByteBuf} fails there on its first
 * write; {@code NoUnsafeTest}).
 *
 * <p>Only heap buffers are made here: {@link #buffer(int)} and its relatives give one, a direct
 * buffer is refused. Not tracked by Netty's leak detector (a dropped one is garbage like any
 * array). Thread-safe and stateless.
 */
public final class CallerBuffers extends AbstractByteBufAllocator {
    /** The allocator. */
    public static final CallerBuffers INSTANCE = new CallerBuffers();
    /** Frames whose size hint is at most this are built here; larger ones in pooled direct memory. */
    public static final int MAX_HINT = 1024;

    private CallerBuffers() {
        super(false);
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        return new UnpooledHeapByteBuf(this, initialCapacity, Integer.MAX_VALUE);
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        throw new UnsupportedOperationException("caller buffers are heap buffers");
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }
}
