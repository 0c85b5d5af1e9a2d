package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import dev.hermod.internal.transport.VirtualThreads;

/**
 * Where Jackson's parsers and generators take their buffers from: on a platform thread, the
 * thread's own set (Jackson's thread-local pool), which costs nothing to take and give back; on a
 * virtual thread, a set from one shared deque, because dispatch may run each call on a new virtual
 * thread, which would fill a thread-local set once and never reuse it.
 *
 * <p>Every message is encoded and decoded through a new parser or generator, so the pool is on
 * the path of every call: the shared deque alone cost about a tenth of the CPU time of a small
 * call in hermod-bench's {@code throughput} scenario (two compare-and-set loops per message on a
 * deque every thread contends for).
 *
 * <p>Thread-safe. A set taken from the thread's own pool is linked to no pool, so closing the
 * parser gives nothing back, and it may be closed on another thread: {@link BufferRecycler}'s
 * slots are atomic.
 */
final class BufferPool implements RecyclerPool<BufferRecycler> {
    private static final long serialVersionUID = 1L;
    private static final BufferPool INSTANCE = new BufferPool();

    private final transient RecyclerPool<BufferRecycler> local = JsonRecyclerPools.threadLocalPool();
    private final transient RecyclerPool<BufferRecycler> shared = JsonRecyclerPools.sharedConcurrentDequePool();

    private BufferPool() {}

    static BufferPool instance() {
        return INSTANCE;
    }

    @Override
    public BufferRecycler acquireAndLinkPooled() {
        return VirtualThreads.current() ? shared.acquireAndLinkPooled() : local.acquireAndLinkPooled();
    }

    @Override
    public BufferRecycler acquirePooled() {
        return VirtualThreads.current() ? shared.acquirePooled() : local.acquirePooled();
    }

    @Override
    public void releasePooled(BufferRecycler recycler) {
        // Sets are linked to the pool they came from (or to none), which takes them back itself;
        // one handed here directly is returned to the shared deque.
        shared.releasePooled(recycler);
    }

    private Object readResolve() {
        return INSTANCE;
    }
}
