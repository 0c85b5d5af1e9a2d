package dev.hermod.internal.protocol;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;

/**
 * The buffers of small frames built on the callers' own threads: requests of a few hundred bytes,
 * and the replies servants' workers make, which the I/O thread copies into its batch of writes and
 * releases at once (see {@link Outbound}); and of the small frames a link's {@link FrameDecoder}
 * reads, which the worker or the I/O thread releases once it has decoded them. Each is a heap
 * array, taken from a pool of the thread that takes it and given back to that pool when released
 * ({@link Recycled}).
 *
 * <p>Netty's pooled allocator, fast on its own event loops, serves a thread that is not one of
 * them from shared pools under a lock, and the buffer then goes back to the pool from the I/O
 * thread; it also samples its buffers for leak tracking, which records a stack trace. For a small
 * request that cost more than the request itself: in hermod-bench's {@code throughput}, a pooled
 * buffer per request took about 9% of the calling thread and 3% of the client's I/O thread (see
 * {@code hermod-bench/MEASUREMENTS.md}, 2026-12-05 afternoon). A heap buffer of the calling thread's
 * own recycler costs a queue poll instead, with no lock and no leak sampling; large frames, which
 * are written to the socket as they are, still come from the pooled, direct allocator.
 *
 * <p>The buffers index their arrays plainly, not through {@code sun.misc.Unsafe}, which Netty does
 * not use on JDK 24 and later (an {@code UnpooledUnsafeHeapByteBuf} fails there on its first
 * write; {@code NoUnsafeTest}).
 *
 * <p>Only heap buffers are made here: {@link #buffer(int)} and its relatives give a recycled one,
 * {@link #heapBuffer(int, int)} a plain one (for buffers kept and lent out, never released), a
 * direct buffer is refused. Not tracked by Netty's leak detector (a dropped one is garbage like
 * any array). Thread-safe.
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
        return Recycled.take(initialCapacity, Integer.MAX_VALUE);
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        return Recycled.take(initialCapacity, maxCapacity);
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
     * A frame buffer that goes back, with its array, to the pool of the thread that took it once
     * released, from whatever thread releases it (the I/O thread that copied the frame into its
     * batch, typically). A request's buffer was about 145 of the 580 bytes a client allocated per
     * call in hermod-bench's {@code throughput}: the buffer object, its reference count and the
     * array. As with Netty's pooled buffers, nothing may use one after releasing it.
     *
     * <p>Each platform thread has a pool of at most {@link #POOLED} buffers, a multi-producer,
     * single-consumer queue of Netty's that only the owner takes from; a buffer given back to a
     * full pool, or grown past {@link #KEPT} bytes, is left to the garbage collector. A virtual
     * thread gets a fresh buffer each time: a pool per virtual thread would cost more than it
     * saves. (Netty's own {@code Recycler} pools only for its {@code FastThreadLocalThread}s, and
     * callers' threads are not.)
     */
    static final class Recycled extends UnpooledHeapByteBuf {
        /** The largest array kept with a buffer given back. */
        static final int KEPT = 2048;
        /** The most buffers a thread's pool keeps. */
        static final int POOLED = 256;
        private static final ThreadLocal<Queue<Recycled>> POOLS =
                ThreadLocal.withInitial(() -> PlatformDependent.newFixedMpscQueue(POOLED));
        /** The pool it goes back to; null for a buffer of a virtual thread. */
        private final Queue<Recycled> pool;

        private Recycled(Queue<Recycled> pool, int initialCapacity, int maxCapacity) {
            super(INSTANCE, initialCapacity, maxCapacity);
            this.pool = pool;
        }

        static ByteBuf take(int initialCapacity, int maxCapacity) {
            if (initialCapacity > maxCapacity) {
                throw new IllegalArgumentException("initialCapacity " + initialCapacity + " exceeds maxCapacity "
                        + maxCapacity);
            }
            if (PlatformDependent.isVirtualThread(Thread.currentThread())) {
                return new Recycled(null, initialCapacity, maxCapacity);
            }
            Queue<Recycled> pool = POOLS.get();
            Recycled b = pool.poll();
            if (b == null) {
                return new Recycled(pool, initialCapacity, maxCapacity);
            }
            b.resetRefCnt();
            b.maxCapacity(Integer.MAX_VALUE); // lifts the last user's bound before the array is sized
            b.clear();
            if (b.capacity() < initialCapacity || b.capacity() > maxCapacity) {
                b.capacity(initialCapacity);
            }
            b.maxCapacity(maxCapacity);
            return b;
        }

        @Override
        protected void deallocate() {
            if (pool != null && capacity() <= KEPT) {
                pool.offer(this); // false when the pool is full: garbage then, with its array
            }
        }
    }
}
