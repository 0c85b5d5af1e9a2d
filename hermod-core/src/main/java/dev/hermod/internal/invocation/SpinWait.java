package dev.hermod.internal.invocation;

import dev.hermod.internal.transport.VirtualThreads;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a thread blocked on a call's outcome waits before it parks: it busy-waits for up to a limit
 * ({@code Client.Builder.spinWait}), so that an outcome arriving meanwhile is seen at once. A
 * parked thread costs its waker a system call and itself a wake-up, which on a fast network is a
 * large part of a round trip (over loopback, {@code hermod-bench latency} measured a median round
 * trip of about 1.95 times a blocking socket's without spinning, 1.2 to 1.7 with); a spinning
 * thread costs a core while it spins.
 *
 * <p>The spinning adapts, so that it is spent where it pays:
 * <ul>
 *   <li>It stops while most outcomes take longer than the limit. The client estimates the median
 *       time a spin waits, moving its estimate up or down by a 32nd at each spin, towards the
 *       spin's wait (one that ran out counts as longer). It spins while the estimate is within the
 *       limit. The median, unlike an average, is not moved by a few slow outcomes (a collection
 *       pause, a retransmission).</li>
 *   <li>Every wait that does not spin lowers the estimate by 1/1024, so that the client tries
 *       again: a slow network costs one vain spin in about thirty waits, each of them longer than
 *       the spin.</li>
 *   <li>At most half the processors' worth of threads spin at once, over every client of the
 *       process; the others park at once. On one processor no thread spins: the outcome could not
 *       arrive while it did.</li>
 *   <li>A virtual thread never spins: it would hold its carrier, which other virtual threads need.</li>
 * </ul>
 *
 * <p>Thread-safe. The estimate is read and written without synchronization: a lost update only
 * changes whether a later wait spins.
 */
final class SpinWait {
    /** Threads that may spin at once, over the whole process. */
    static final int MAX_SPINNERS = Runtime.getRuntime().availableProcessors() / 2;
    private static final AtomicInteger SPINNERS = new AtomicInteger();

    /** Never spins: a server's calls back to its clients, whose threads are its executor's. */
    static final SpinWait NEVER = new SpinWait(0);

    /** The estimate's floor, so that its steps, a 32nd of it, never vanish. */
    private static final long MIN_ESTIMATE_NANOS = 1_000;

    private final long limitNanos;
    /** The estimated median of how long spins wait for their outcome, in nanoseconds. */
    private volatile long median;

    /** @param limitNanos the longest a thread spins; 0 for never */
    SpinWait(long limitNanos) {
        if (limitNanos < 0) {
            throw new IllegalArgumentException("limitNanos must not be negative: " + limitNanos);
        }
        this.limitNanos = limitNanos;
        this.median = Math.max(MIN_ESTIMATE_NANOS, limitNanos / 2);
    }

    /**
     * Busy-waits until {@code f} is done, the limit passes or {@code until} (a
     * {@link System#nanoTime} value) comes, if this wait should spin; returns at once otherwise.
     * The caller then waits for {@code f} the blocking way, which returns at once if it is done.
     */
    void spin(Future<?> f, long until) {
        if (limitNanos == 0 || f.isDone()) {
            return;
        }
        long estimate = median;
        if (estimate > limitNanos) {
            median = estimate - (estimate >> 10); // until it tries again
            return;
        }
        if (VirtualThreads.current()) {
            return;
        }
        if (SPINNERS.incrementAndGet() > MAX_SPINNERS) {
            SPINNERS.decrementAndGet();
            return;
        }
        try {
            long start = System.nanoTime();
            long spinFor = Math.min(limitNanos, until - start);
            while (!f.isDone()) {
                if (System.nanoTime() - start >= spinFor) {
                    if (spinFor == limitNanos) { // else the caller's own time ran out: says nothing
                        median = estimate + (estimate >> 5);
                    }
                    return;
                }
                Thread.onSpinWait();
            }
            long waited = System.nanoTime() - start;
            median = waited >= estimate ? estimate + (estimate >> 5)
                    : Math.max(MIN_ESTIMATE_NANOS, estimate - (estimate >> 5));
        } finally {
            SPINNERS.decrementAndGet();
        }
    }

    /** Whether the next wait would spin, as far as this client's past spins decide; for tests. */
    boolean spinsNext() {
        return limitNanos > 0 && median <= limitNanos;
    }
}
