package dev.hermod.internal.invocation;

import dev.hermod.AsyncResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link AsyncResult#all} and {@link AsyncResult#any}. */
public final class Combinators {
    private Combinators() {}

    /** A combined future whose cancellation cancels its inputs. */
    private static final class Combined<V> extends CompletableFuture<V> {
        private final List<AsyncResult<?>> inputs;

        Combined(List<AsyncResult<?>> inputs) {
            this.inputs = inputs;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean canceled = super.cancel(mayInterruptIfRunning);
            if (canceled) {
                cancelAll(inputs);
            }
            return canceled;
        }
    }

    private static void cancelAll(List<AsyncResult<?>> inputs) {
        for (AsyncResult<?> r : inputs) {
            r.cancel();
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    public static <T> CompletableFuture<List<T>> all(Collection<? extends AsyncResult<? extends T>> results) {
        List<AsyncResult<?>> inputs = List.copyOf(results);
        Combined<List<T>> combined = new Combined<>(inputs);
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
                    if (combined.completeExceptionally(unwrap(failure))) {
                        cancelAll(inputs);
                    }
                    return;
                }
                synchronized (values) {
                    values.set(index, value);
                }
                if (left.decrementAndGet() == 0) {
                    synchronized (values) {
                        combined.complete(java.util.Collections.unmodifiableList(new ArrayList<>(values)));
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
        Combined<T> combined = new Combined<>(inputs);
        for (AsyncResult<? extends T> r : results) {
            r.onComplete((value, failure) -> {
                boolean first = failure == null ? combined.complete(value) : combined.completeExceptionally(unwrap(failure));
                if (first) {
                    for (AsyncResult<?> other : inputs) {
                        if (other != r) {
                            other.cancel();
                        }
                    }
                }
            });
        }
        return combined;
    }
}
