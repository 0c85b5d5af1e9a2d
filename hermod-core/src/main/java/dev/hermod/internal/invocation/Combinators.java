package dev.hermod.internal.invocation;

import dev.hermod.AsyncResult;
import dev.hermod.internal.bridge.Failures;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AsyncResult#all}, {@link AsyncResult#any} and {@link AsyncResult#quorum}; the hedge is
 * {@link Hedge}. Each returns a {@link Combined} future: however it completes (by its inputs, by
 * {@code cancel}, or by its user through {@code complete}, {@code orTimeout} and the like), the
 * inputs still in progress are canceled, which cancels them on their servers.
 */
public final class Combinators {
    private Combinators() {}

    /**
     * A combined future whose completion, of any kind, cancels its inputs still in progress.
     * Thread-safe.
     */
    abstract static class Combined<V> extends CompletableFuture<V> {

        /** Cancels the inputs still in progress; canceling a complete one does nothing. */
        abstract void cancelInputs();

        @Override
        public boolean complete(V value) {
            return finished(super.complete(value));
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            return finished(super.completeExceptionally(failure));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return finished(super.cancel(mayInterruptIfRunning));
        }

        private boolean finished(boolean byThisCall) {
            if (byThisCall) {
                cancelInputs();
            }
            return byThisCall;
        }
    }

    /** Combines a fixed list of results. */
    private static final class Fixed<V> extends Combined<V> {
        private final List<AsyncResult<?>> inputs;

        Fixed(List<AsyncResult<?>> inputs) {
            this.inputs = inputs;
        }

        @Override
        void cancelInputs() {
            for (AsyncResult<?> r : inputs) {
                r.cancel();
            }
        }
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    public static <T> CompletableFuture<List<T>> all(Collection<? extends AsyncResult<? extends T>> results) {
        List<AsyncResult<?>> inputs = List.copyOf(results);
        Fixed<List<T>> combined = new Fixed<>(inputs);
        int n = inputs.size();
        if (n == 0) {
            combined.complete(List.of());
            return combined;
        }
        List<T> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(null);
        }
        AtomicInteger left = new AtomicInteger(n);
        int i = 0;
        for (AsyncResult<? extends T> r : results) {
            int index = i++;
            r.onComplete((value, failure) -> {
                if (failure != null) {
                    combined.completeExceptionally(unwrap(failure));
                    return;
                }
                synchronized (values) {
                    values.set(index, value);
                }
                if (left.decrementAndGet() == 0) {
                    synchronized (values) {
                        combined.complete(Collections.unmodifiableList(new ArrayList<>(values)));
                    }
                }
            });
        }
        return combined;
    }

    public static <T> CompletableFuture<T> any(Collection<? extends AsyncResult<? extends T>> results) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("any() needs at least one result");
        }
        List<AsyncResult<?>> inputs = List.copyOf(results);
        Fixed<T> combined = new Fixed<>(inputs);
        for (AsyncResult<? extends T> r : results) {
            r.onComplete((value, failure) -> {
                if (failure == null) {
                    combined.complete(value);
                } else {
                    combined.completeExceptionally(unwrap(failure));
                }
            });
        }
        return combined;
    }

    /**
     * Completes with the first {@code k} values, in the order they arrive, or fails with a
     * {@link dev.hermod.QuorumException} as soon as more than {@code n - k} results have failed.
     */
    public static <T> CompletableFuture<List<T>> quorum(int k,
            Collection<? extends AsyncResult<? extends T>> results) {
        List<AsyncResult<?>> inputs = List.copyOf(results);
        int n = inputs.size();
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("quorum of " + k + " out of " + n
                    + " results: k must be at least 1 and at most the number of results");
        }
        Fixed<List<T>> combined = new Fixed<>(inputs);
        List<T> values = new ArrayList<>(k);
        List<Throwable> failures = new ArrayList<>(n - k + 1);
        for (AsyncResult<? extends T> r : results) {
            r.onComplete((value, failure) -> {
                List<T> reached = null;
                List<Throwable> unreachable = null;
                synchronized (values) {
                    if (failure == null && values.size() < k) {
                        values.add(value);
                        if (values.size() == k) {
                            reached = Collections.unmodifiableList(new ArrayList<>(values));
                        }
                    } else if (failure != null && failures.size() <= n - k) {
                        failures.add(unwrap(failure));
                        if (failures.size() == n - k + 1) {
                            unreachable = List.copyOf(failures);
                        }
                    }
                }
                // Outside the lock: completing cancels the others, whose callbacks take it.
                if (reached != null) {
                    combined.complete(reached);
                } else if (unreachable != null) {
                    combined.completeExceptionally(Failures.quorum(k, n, unreachable));
                }
            });
        }
        return combined;
    }
}
