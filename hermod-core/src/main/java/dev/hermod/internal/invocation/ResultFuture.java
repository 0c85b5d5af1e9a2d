package dev.hermod.internal.invocation;

import dev.hermod.InvocationCanceledException;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What makes a {@link CompletableFuture} a result: only Hermod completes it
 * ({@link #settleValue}, {@link #settleFailure}), a failure nobody receives is logged
 * ({@link FailureWatch}, inherited by the stages derived from it), and its outcome can be read
 * without counting as observed ({@link #failure()}). Also the JDK 19 accessors, declared here so
 * that they count as receiving the outcome on the JDKs that have them.
 */
abstract class ResultFuture<T> extends WatchedStage<T> {
    /** Runs the stages derived from the result, and their {@code *Async} steps. */
    private final Executor callbacks;
    /** Whether something received the outcome; a failure nobody received is logged. */
    private volatile boolean observed;
    /** Watches for a failure nobody receives; created when the result fails or a stage derives from it. */
    private volatile FailureWatch watch;

    ResultFuture(Executor callbacks) {
        this.callbacks = callbacks;
    }

    /** The operation and service, for the log line. */
    abstract String describe();

    /** Completes the result with a value (Hermod only). */
    final void settleValue(T value) {
        if (super.complete(value)) {
            FailureWatch w = watch;
            if (w != null) {
                w.succeeded();
            }
        }
    }

    /** Completes the result with a failure (Hermod only), watched from then on. */
    final void settleFailure(Throwable failure) {
        FailureWatch w = watch();
        w.failing(failure); // before completing: the stages it completes compare their failures with it
        if (super.completeExceptionally(failure)) {
            w.watch(this); // should it become unreachable with its failure unreceived, log it
        } else {
            w.failing(failure()); // another outcome won
        }
    }

    /** The watch for unobserved failures, created on first need. */
    private FailureWatch watch() {
        FailureWatch w = watch;
        if (w == null) {
            synchronized (this) {
                w = watch;
                if (w == null) {
                    w = new FailureWatch(describe());
                    watch = w;
                }
            }
            if (observed) { // observed() ran before the watch was there to mark
                w.observe();
            }
        }
        return w;
    }

    /** Something received the outcome, failure included: a failure is not logged. */
    @Override
    final void observed() {
        observed = true;
        FailureWatch w = watch;
        if (w != null) {
            w.observe();
        }
    }

    /** Stages derived from the result carry its failure on, and are watched like it. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new DerivedStage<>(callbacks, watch());
    }

    @Override
    public Executor defaultExecutor() {
        return callbacks;
    }

    /** The failure, or null; unlike {@link #getNow}, this does not count as observing it. */
    final Throwable failure() {
        if (!isCompletedExceptionally()) {
            return null;
        }
        try {
            super.join(); // complete: does not wait
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    /**
     * For the failure of a canceled result, the {@link CancellationException} {@code Future}
     * requires, with the {@link InvocationCanceledException} as its cause.
     */
    static Optional<CancellationException> canceled(Throwable failure) {
        if (failure instanceof InvocationCanceledException e) {
            CancellationException c = new CancellationException(e.getMessage());
            c.initCause(e);
            return Optional.of(c);
        }
        return Optional.empty();
    }

    /**
     * The value, or {@link IllegalStateException} if the result is not complete with one (the
     * JDK 19 {@code Future.resultNow}).
     */
    public T resultNow() {
        observed();
        if (!isDone() || isCompletedExceptionally()) {
            throw new IllegalStateException(isDone() ? "the invocation failed" : "the invocation is in progress");
        }
        return super.getNow(null);
    }

    /**
     * The failure, or {@link IllegalStateException} if the result did not fail or was canceled
     * (the JDK 19 {@code Future.exceptionNow}).
     */
    public Throwable exceptionNow() {
        observed();
        Throwable failure = failure();
        if (failure == null || failure instanceof InvocationCanceledException) {
            throw new IllegalStateException(failure != null ? "the invocation was canceled"
                    : isDone() ? "the invocation succeeded" : "the invocation is in progress");
        }
        return failure;
    }

    // ---- only Hermod completes it ----

    @Override
    public boolean complete(T value) {
        throw new UnsupportedOperationException("only Hermod completes an AsyncResult");
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw new UnsupportedOperationException("only Hermod completes an AsyncResult");
    }

    @Override
    public void obtrudeValue(T value) {
        throw new UnsupportedOperationException("only Hermod completes an AsyncResult");
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("only Hermod completes an AsyncResult");
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        throw new UnsupportedOperationException("only Hermod completes an AsyncResult");
    }

    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("only Hermod completes an AsyncResult; use expireAfter");
    }
}
