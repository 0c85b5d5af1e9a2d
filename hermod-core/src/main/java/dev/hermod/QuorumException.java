package dev.hermod;

import java.util.List;

/**
 * The failure of {@link AsyncResult#quorum}: so many of its results failed that the number of
 * successes it asks for can no longer be reached. It carries each of those failures, in the order
 * they arrived; the first is also its cause, and the others are suppressed by it, so that a
 * logged stack shows them all.
 *
 * <p>Its {@link #status()} is the status the failures share when every one is an
 * {@link RpcException} of the same status ({@link Status#UNAVAILABLE} when every replica was
 * unreachable, say), and {@link Status#UNKNOWN} otherwise. It is never
 * {@linkplain #isUnprocessed() unprocessed}: the results still in progress when it was decided
 * are canceled, and may have run.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.3
 */
public final class QuorumException extends RpcException {
    private static final long serialVersionUID = 1L;

    /** The successes the quorum asked for. */
    private final int required;
    /** The number of results it was given. */
    private final int total;
    /** The failures, in the order they arrived; not serialized (they are the cause and suppressed). */
    private final transient List<Throwable> failures;

    /**
     * Creates an exception (Hermod does; applications receive them).
     *
     * @param required the successes the quorum asked for
     * @param total the number of results it was given
     * @param failures the failures, in the order they arrived; not empty
     */
    QuorumException(int required, int total, List<Throwable> failures) {
        super(statusOf(failures), "quorum of " + required + " out of " + total + " unreachable: "
                + failures.size() + " failed, first: " + failures.get(0), failures.get(0), false);
        this.required = required;
        this.total = total;
        this.failures = List.copyOf(failures);
        for (Throwable t : this.failures.subList(1, this.failures.size())) {
            addSuppressed(t);
        }
    }

    private static Status statusOf(List<Throwable> failures) {
        Status shared = null;
        for (Throwable t : failures) {
            if (!(t instanceof RpcException r) || (shared != null && shared != r.status())) {
                return Status.UNKNOWN;
            }
            shared = r.status();
        }
        return shared;
    }

    /**
     * Returns how many results had to succeed.
     *
     * @return the {@code k} of {@link AsyncResult#quorum}
     */
    public int required() {
        return required;
    }

    /**
     * Returns how many results the quorum was given.
     *
     * @return {@code n}
     */
    public int total() {
        return total;
    }

    /**
     * Returns the failures that made the quorum unreachable, in the order they arrived: the
     * operation's declared exceptions as themselves, or {@link RpcException}s. There are
     * {@code total() - required() + 1} of them.
     *
     * @return an unmodifiable list (empty only in a deserialized copy)
     */
    public List<Throwable> failures() {
        return failures == null ? List.of() : failures; // not serialized: empty in a deserialized copy
    }
}
