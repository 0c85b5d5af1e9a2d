package dev.hermod.internal.bridge;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What client and server interception share: running the interceptors' {@code onStart} in order
 * until one decides the call, the decision ({@code respond} / {@code fail}), per-call attributes,
 * and how many interceptors saw the start (only they see the rest). Confined to the thread that
 * runs {@code onStart}, then read by the thread that reports the outcome after a happens-before
 * edge (the call's completion).
 *
 * @param <I> the interceptor type
 */
public abstract class CallDecision<I> {
    private int started;
    private boolean open = true;
    private boolean decided;
    private Object value;
    private Throwable failure;
    private Map<Object, Object> attributes;

    /** Calls {@code onStart} of {@code interceptor}. */
    protected abstract void start(I interceptor);

    /** Runs {@code onStart} of each interceptor in order; returns true if one decided the call. */
    protected final boolean startAll(List<I> chain) {
        try {
            for (I i : chain) {
                started++;
                start(i);
                if (decided) {
                    break;
                }
            }
        } catch (Throwable t) {
            decided = true;
            value = null;
            failure = t;
        }
        open = false;
        return decided;
    }

    /** How many interceptors saw {@code onStart}: the outcome goes to them, last first. */
    protected final int started() {
        return started;
    }

    /** The decided value (null if none, or if the call failed). */
    public final Object decidedValue() {
        return value;
    }

    /** The decided failure, or null. */
    public final Throwable decidedFailure() {
        return failure;
    }

    public final Map<Object, Object> attributes() {
        if (attributes == null) {
            attributes = new HashMap<>(4);
        }
        return attributes;
    }

    public final void respond(Object value) {
        ensureOpen();
        decided = true;
        this.value = value;
    }

    public final void fail(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        ensureOpen();
        decided = true;
        this.failure = failure;
    }

    /** @throws IllegalStateException unless in {@code onStart} of an undecided call */
    protected final void ensureOpen() {
        if (!open || decided) {
            throw new IllegalStateException("a call can only be changed or decided in onStart, before it is"
                    + " decided: " + this);
        }
    }
}
