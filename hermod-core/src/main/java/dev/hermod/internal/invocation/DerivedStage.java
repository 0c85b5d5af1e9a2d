package dev.hermod.internal.invocation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stage derived from a result ({@code thenApply}, {@code thenCompose}, ...) or from another
 * derived stage. Its {@code *Async} steps without an executor run on the callback executor, and
 * it inherits the result's watch for unobserved failures ({@link FailureWatch}): the methods that
 * hand its failure to someone mark it observed, and a failure that flows into it and is dropped
 * with it is logged.
 */
final class DerivedStage<U> extends WatchedStage<U> {
    private final Executor executor;
    private final FailureWatch watch;

    DerivedStage(Executor executor, FailureWatch source) {
        this.executor = executor;
        this.watch = new FailureWatch(source);
        watch.watch(this); // holds the source's watch until this stage is unreachable
    }

    /**
     * Records this stage's failure for its watch once it completes (at once if it has). Called by
     * the method that derived it, after the JDK completed it if it could: a stage derived from a
     * complete one gets its outcome without its own dependents being run. A stage that is never
     * armed reports no failure of its own; one it carries from its source is still reported there.
     */
    void arm() {
        // allOf(this) relays the outcome to a plain future, so that watching it derives no stage.
        FailureWatch w = watch;
        CompletableFuture.allOf(this).whenComplete((v, failure) -> {
            if (failure != null) {
                w.failing(failure);
            }
        });
    }

    @Override
    public <V> CompletableFuture<V> newIncompleteFuture() {
        return new DerivedStage<>(executor, watch);
    }

    @Override
    public Executor defaultExecutor() {
        return executor;
    }

    @Override
    void observed() {
        watch.observe();
    }

    // ---- what hands the failure to someone, besides the stage methods of WatchedStage ----

    @Override
    public U get() throws InterruptedException, ExecutionException {
        observed();
        return super.get();
    }

    @Override
    public U get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        observed();
        return super.get(timeout, unit);
    }

    @Override
    public U join() {
        observed();
        return super.join();
    }

    @Override
    public U getNow(U valueIfAbsent) {
        observed();
        return super.getNow(valueIfAbsent);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        observed(); // the caller ends it: nothing to report
        return super.cancel(mayInterruptIfRunning);
    }

}
