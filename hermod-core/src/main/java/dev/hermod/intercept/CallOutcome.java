package dev.hermod.intercept;

import dev.hermod.RpcException;
import dev.hermod.Status;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a call ended, as interceptors see it: returned a value, threw an exception its operation
 * declares, or failed with a {@link Status}. Immutable.
 *
 * @since 0.3
 */
public final class CallOutcome {
    /** {@link #code()} of a call that returned normally. */
    public static final String OK = "OK";
    /** {@link #code()} of a call that threw an exception its operation declares. */
    public static final String DECLARED_EXCEPTION = "DECLARED_EXCEPTION";

    private final Status status;
    private final Throwable failure;
    private final boolean declared;
    private final Duration duration;

    private CallOutcome(Status status, Throwable failure, boolean declared, Duration duration) {
        this.status = status;
        this.failure = failure;
        this.declared = declared;
        this.duration = Objects.requireNonNull(duration, "duration");
    }

    /**
     * An outcome of a call that returned a value.
     *
     * @param duration how long it took
     * @return the outcome
     */
    public static CallOutcome ok(Duration duration) {
        return new CallOutcome(null, null, false, duration);
    }

    /**
     * An outcome of a call that threw an exception its operation declares.
     *
     * @param exception the exception, or null where it is not decoded (on the client)
     * @param duration how long it took
     * @return the outcome
     */
    public static CallOutcome declared(Throwable exception, Duration duration) {
        return new CallOutcome(null, exception, true, duration);
    }

    /**
     * An outcome of a call that failed with a status.
     *
     * @param status the status
     * @param failure the failure, if known
     * @param duration how long it took
     * @return the outcome
     */
    public static CallOutcome failed(Status status, Throwable failure, Duration duration) {
        return new CallOutcome(Objects.requireNonNull(status, "status"), failure, false, duration);
    }

    /**
     * Returns {@link #OK}, {@link #DECLARED_EXCEPTION}, or the name of the {@link Status}: a
     * short, bounded label for metrics.
     *
     * @return the code
     */
    public String code() {
        return status != null ? status.name() : declared ? DECLARED_EXCEPTION : OK;
    }

    /**
     * Returns the status of a failed call.
     *
     * @return the status, or empty for a call that returned or threw a declared exception
     */
    public Optional<Status> status() {
        return Optional.ofNullable(status);
    }

    /**
     * Tells whether the call returned normally.
     *
     * @return true if neither a status nor a declared exception ended it
     */
    public boolean isOk() {
        return status == null && !declared;
    }

    /**
     * Returns what failed the call: the {@link RpcException}, or the servant's exception on the
     * server. A declared exception on the client is empty here: it is decoded only for the caller.
     *
     * @return the failure, if known
     */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Returns how long the call took: on the client from its start to its outcome, on the server
     * from the start of dispatch to the decided reply.
     *
     * @return the duration
     */
    public Duration duration() {
        return duration;
    }

    @Override
    public String toString() {
        return "CallOutcome[" + code() + " in " + duration.toNanos() / 1000 + " µs]";
    }
}
