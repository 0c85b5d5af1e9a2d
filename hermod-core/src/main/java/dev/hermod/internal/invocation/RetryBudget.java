package dev.hermod.internal.invocation;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Bounds retries to a fraction of recent calls, so that retries cannot multiply an outage
 * (Finagle's {@code RetryBudget}, gRPC's retry throttling): over a sliding window of
 * {@link #WINDOW_SECONDS} seconds, retries may be at most {@code ratio} times the calls started
 * plus {@code minPerSecond} per second of the window. Counted in one-second buckets. Thread-safe;
 * one per client.
 *
 * <p>Every call passes here, from many threads, so counting one takes no lock: only the first
 * call of a new second empties its bucket under the lock. A call counted while its bucket turns
 * over may be lost; the budget is an estimate of the traffic, and a call more or less in thousands
 * does not change it.
 */
final class RetryBudget {
    static final int WINDOW_SECONDS = 10;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final double ratio;
    private final int minPerSecond;
    /** Per bucket: the second it counts (its epoch), calls started, retries allowed. Reset under this. */
    private final AtomicLongArray epochs = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray calls = new AtomicLongArray(WINDOW_SECONDS);
    /** Guarded by this. */
    private final long[] retries = new long[WINDOW_SECONDS];

    RetryBudget(double ratio, int minPerSecond) {
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
    }

    /** A call started at {@code nanos}, in {@link System#nanoTime()} terms. */
    void callStarted(long nanos) {
        long second = nanos / SECOND;
        int b = index(second);
        if (epochs.get(b) != second) {
            synchronized (this) {
                bucket(second);
            }
        }
        calls.incrementAndGet(b);
    }

    /** Takes one retry from the budget: false, taking nothing, if it is spent. */
    synchronized boolean tryRetry() {
        long now = System.nanoTime() / SECOND;
        int b = bucket(now);
        long c = 0;
        long r = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (now - epochs.get(i) < WINDOW_SECONDS) {
                c += calls.get(i);
                r += retries[i];
            }
        }
        if (r + 1 > ratio * c + (double) minPerSecond * WINDOW_SECONDS) {
            return false;
        }
        retries[b]++;
        return true;
    }

    /** The bucket of second {@code second}, emptied first if it last counted an older second. */
    private int bucket(long second) {
        int b = index(second);
        if (epochs.get(b) != second) {
            calls.set(b, 0);
            retries[b] = 0;
            epochs.set(b, second);
        }
        return b;
    }

    private static int index(long second) {
        return (int) Math.floorMod(second, (long) WINDOW_SECONDS);
    }
}
