package dev.hermod.internal.invocation;

import dev.hermod.RpcException;
import dev.hermod.Status;
import dev.hermod.internal.transport.Backoff;
import java.time.Duration;

/**
 * When a failed call is sent again: the retry policy of one client. A call is re-sent when it
 * failed with {@link Status#UNAVAILABLE} (connection lost, refused by a server going away, server
 * unreachable) and either the server certainly never ran it ({@link RpcException#isUnprocessed()})
 * or its operation is {@code @Idempotent} or {@code @Deduplicated} (the server runs such a call
 * once however often it arrives); within its deadline, {@code maxAttempts} sends and the
 * {@link RetryBudget}, which each call pays once however often it is re-sent.
 *
 * <p>A re-send waits until the client may connect again ({@link Invoker#nanosUntilRetry()}), so
 * that a call that found a server restarting rides out the restart instead of failing; such a
 * wait, in which nothing was sent, is not an attempt. A server never reached, or gone for longer
 * than the client's {@code restartWait}, fails calls at once. A call whose sent attempts keep failing
 * also waits the backoff between them.
 *
 * <p>A request a server going away refused unrun (its GOAWAY said it did not take it) cost that
 * server nothing: such a refusal does not count as an attempt, up to {@code maxAttempts} of them
 * (gRPC retries refused streams transparently too). In a rolling restart of short-lived servers a
 * call may otherwise meet five refusals in a row and fail although no server ever saw it.
 * Thread-safe.
 */
public final class Retries {
    private final int maxAttempts;
    private final Backoff backoff;
    private final RetryBudget budget;

    /**
     * @param maxAttempts the most sends of one call, the first included; at least 2 (with 1
     *     there is no policy at all)
     * @param backoff the backoff between sent attempts that failed
     * @param ratio see {@link RetryBudget}
     * @param minPerSecond see {@link RetryBudget}
     */
    public Retries(int maxAttempts, Duration backoffInitial, Duration backoffMax, double ratio, int minPerSecond) {
        this.maxAttempts = maxAttempts;
        this.backoff = new Backoff(backoffInitial, backoffMax);
        this.budget = new RetryBudget(ratio, minPerSecond);
    }

    private final java.util.concurrent.atomic.LongAdder resent = new java.util.concurrent.atomic.LongAdder();

    /** How many times calls were sent again so far. */
    public long count() {
        return resent.sum();
    }

    /** A call is to be sent again. */
    void counted() {
        resent.increment();
    }

    /** A call started at {@code nanos} ({@link System#nanoTime()}): the budget grows with the calls made. */
    void started(long nanos) {
        budget.callStarted(nanos);
    }

    /**
     * How long to wait before sending {@code call} again after {@code failure}, or -1 not to.
     *
     * @param reached whether the failed attempt was given to a connection (it counts as an attempt)
     * @param attempts the attempts given to a connection so far
     * @param refusals how many of them a server going away refused unrun
     * @param retried whether the call was re-sent before (it paid the budget then)
     */
    long delayNanos(Call call, RpcException failure, boolean reached, int attempts, int refusals, boolean retried,
            Invoker inv) {
        if (failure.status() != Status.UNAVAILABLE || failure instanceof dev.hermod.ProtocolException
                || call.operation().streaming() != null) { // a stream's items cannot be sent again
            return -1;
        }
        if (!failure.isUnprocessed() && !call.operation().isIdempotent() && !call.operation().isDeduplicated()) {
            return -1;
        }
        attempts -= Math.min(refusals, maxAttempts); // what the servers did work for
        if (reached && attempts >= maxAttempts) {
            return -1;
        }
        long delay = inv.nanosUntilRetry(call);
        if (delay < 0) {
            return -1;
        }
        if (reached && attempts > 1) {
            delay = Math.max(delay, backoff.delayNanos(attempts - 1));
        }
        if (!call.hasTimeFor(delay)) {
            return -1;
        }
        if (!retried && !budget.tryRetry()) {
            return -1;
        }
        return delay;
    }
}
