package dev.hermod.internal.protocol;

import dev.hermod.internal.transport.VirtualThreads;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;

/**
 * The buffers of small frames built on the callers' own threads: requests of a few hundred bytes,
 * which the I/O thread copies into its batch of writes and releases at once (see
 * {@link Outbound}). Each is a plain heap array, taken and dropped like any short-lived object.
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
 * <p>A buffer goes back to the thread that took it once released (by the I/O thread that copied
 * it, or by whoever drops the frame): each platform thread keeps up to {@value #KEPT} of them,
 * of up to {@value #KEPT_CAPACITY} bytes, in a queue the releasing threads add to and only it
 * takes from, and takes one from there before making one. A request then costs no buffer object,
 * no reference count and no array (about 180 bytes per call in hermod-bench's {@code
 * throughput}). Netty's {@code Recycler} would do this, but keeps objects only for its own
 * threads; a virtual thread, which may make one call and end, gets plain buffers.
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
    /** The most released buffers a thread keeps. */
    static final int KEPT = 256;
    /** The largest buffer kept: a request that grew past it is left to the garbage collector. */
    static final int KEPT_CAPACITY = 2048;
    /** Each platform thread's released buffers. */
    private static final ThreadLocal<Queue<Recycled>> FREE = ThreadLocal.withInitial(
            () -> PlatformDependent.newFixedMpscQueue(KEPT));

    private CallerBuffers() {
        super(false);
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        if (initialCapacity > KEPT_CAPACITY || VirtualThreads.current()) {
            return new UnpooledHeapByteBuf(this, initialCapacity, Integer.MAX_VALUE);
        }
        Queue<Recycled> free = FREE.get();
        Recycled b = free.poll();
        if (b == null) {
            return new Recycled(this, initialCapacity, free);
        }
        b.reuse();
        return b;
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

    /**
     * A buffer that goes back to its thread's queue when released, instead of dropping its array;
     * one that grew past {@link #KEPT_CAPACITY}, or finds the queue full, is dropped.
     */
    private static final class Recycled extends UnpooledHeapByteBuf {
        private final Queue<Recycled> home;

        Recycled(CallerBuffers alloc, int initialCapacity, Queue<Recycled> home) {
            super(alloc, initialCapacity, Integer.MAX_VALUE);
            this.home = home;
        }

        /** Taken from the queue by its thread: released once, it holds one reference again, and nothing. */
        void reuse() {
            resetRefCnt();
            setIndex(0, 0);
        }

        @Override
        protected void deallocate() {
            if (capacity() > KEPT_CAPACITY || !home.offer(this)) {
                super.deallocate();
            }
        }
    }
}
