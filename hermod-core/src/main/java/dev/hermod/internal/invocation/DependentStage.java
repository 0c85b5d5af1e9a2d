package dev.hermod.internal.invocation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A stage derived from an {@link AsyncResultImpl}: it runs its {@code *Async} steps on the
 * callback executor too, and so do the stages derived from it.
 */
final class DependentStage<U> extends CompletableFuture<U> {
    private final Executor executor;

    DependentStage(Executor executor) {
        this.executor = executor;
    }

    @Override
    public <V> CompletableFuture<V> newIncompleteFuture() {
        return new DependentStage<>(executor);
    }

    @Override
    public Executor defaultExecutor() {
        return executor;
    }
}
