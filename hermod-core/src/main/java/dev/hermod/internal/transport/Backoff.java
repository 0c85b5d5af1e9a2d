package dev.hermod.internal.transport;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Exponential backoff with jitter, between attempts to reach one endpoint (or to re-send one
 * call): the n-th consecutive failure waits {@code min(max, initial × 2^(n-1))}, of which the
 * upper half is random ("equal jitter"), so that many clients that lost the same server do not
 * come back at the same instant, yet each waits at least half the nominal delay. Immutable.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;

    /**
     * @param initial the nominal delay after the first failure; positive
     * @param max the longest nominal delay; at least {@code initial}
     */
    public Backoff(Duration initial, Duration max) {
        this.initialNanos = TimeUnit.NANOSECONDS.convert(initial);
        this.maxNanos = TimeUnit.NANOSECONDS.convert(max);
        if (initialNanos <= 0 || maxNanos < initialNanos) {
            throw new IllegalArgumentException("backoff must have 0 < initial <= max: " + initial + ", " + max);
        }
    }

    /** The nominal (un-jittered) delay after {@code failures} consecutive failures (at least 1). */
    public long nominalNanos(int failures) {
        long d = initialNanos;
        for (int i = 1; i < failures && d < maxNanos; i++) {
            d = d > maxNanos / 2 ? maxNanos : d * 2;
        }
        return Math.min(d, maxNanos);
    }

    /** The delay to wait after {@code failures} consecutive failures: in [nominal/2, nominal]. */
    public long delayNanos(int failures) {
        long nominal = nominalNanos(failures);
        long half = nominal / 2;
        return half + ThreadLocalRandom.current().nextLong(nominal - half + 1);
    }
}
