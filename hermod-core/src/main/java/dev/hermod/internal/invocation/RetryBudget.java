package dev.hermod.internal.invocation;

import java.util.concurrent.TimeUnit;

/**
 * Bounds retries to a fraction of recent calls, so that retries cannot multiply an outage
 * (Finagle's {@code RetryBudget}, gRPC's retry throttling): over a sliding window of
 * {@link #WINDOW_SECONDS} seconds, retries may be at most {@code ratio} times the calls started
 * plus {@code minPerSecond} per second of the window. Counted in one-second buckets. Thread-safe;
 * one per client.
 */
final class RetryBudget {
    static final int WINDOW_SECONDS = 10;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final double ratio;
    private final int minPerSecond;
    /** Per bucket: the second it counts (its epoch), calls started, retries allowed. Guarded by this. */
    private final long[] epochs = new long[WINDOW_SECONDS];
    private final long[] calls = new long[WINDOW_SECONDS];
    private final long[] retries = new long[WINDOW_SECONDS];

    RetryBudget(double ratio, int minPerSecond) {
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
    }

    /** A call started. */
    synchronized void callStarted() {
        calls[bucket(System.nanoTime() / SECOND)]++;
    }

    /** Takes one retry from the budget: false, taking nothing, if it is spent. */
    synchronized boolean tryRetry() {
        long now = System.nanoTime() / SECOND;
        int b = bucket(now);
        long c = 0;
        long r = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (now - epochs[i] < WINDOW_SECONDS) {
                c += calls[i];
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
        int b = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
        if (epochs[b] != second) {
            epochs[b] = second;
            calls[b] = 0;
            retries[b] = 0;
        }
        return b;
    }
}
