package dev.hermod.internal.invocation;

import dev.hermod.InvocationCanceledException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * What makes a {@link CompletableFuture} a result: only Hermod completes it
 * ({@link #settleValue}, {@link #settleFailure}), a failure nobody receives is logged
 * ({@link FailureWatch}, inherited by the stages derived from it), and its outcome can be read
 * without counting as observed ({@link #failure()}). Callbacks wait for it without a stage of
 * their own ({@link #whenSettledRun}). Also the JDK 19 accessors, declared here so
 * that they count as receiving the outcome on the JDKs that have them.
 */
abstract class ResultFuture<T> extends WatchedStage<T> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(dev.hermod.AsyncResult.class);
    /** In {@link #settledCallbacks}: the result is settled, and takes no more callbacks. */
    private static final SettledCallback SETTLED = new SettledCallback(null);
    private static final VarHandle SETTLED_CALLBACKS;

    static {
        try {
            SETTLED_CALLBACKS = MethodHandles.lookup().findVarHandle(ResultFuture.class, "settledCallbacks",
                    Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A callback waiting for the result to be settled, and the one added before it, when there are
     * several. Lighter than a dependent stage: one object where
     * {@code allOf(this).whenComplete(...)} made six.
     */
    private static final class SettledCallback {
        final BiConsumer<Object, Throwable> callback;
        SettledCallback before;

        @SuppressWarnings("unchecked")
        SettledCallback(BiConsumer<?, ? super Throwable> callback) {
            this.callback = (BiConsumer<Object, Throwable>) callback;
        }
    }

    /** Whether something received the outcome; a failure nobody received is logged. */
    private volatile boolean observed;
    /** Watches for a failure nobody receives; created when the result fails or a stage derives from it. */
    private volatile FailureWatch watch;
    /**
     * The callbacks waiting for the result: null, the one callback added as it is (most results
     * have one: no node for it), or a chain of them, the last added first; {@link #SETTLED} once
     * taken.
     */
    private volatile Object settledCallbacks;

    /**
     * The executor the result's callbacks run on: the stages derived from the result, and their
     * {@code *Async} steps. A method rather than a field of its own, one field less per result.
     */
    abstract Executor callbacks();

    /** The operation and service, for the log line. */
    abstract String describe();

    /** A watch for unobserved failures of this result: it must not reach the result. */
    FailureWatch newWatch() {
        return new FailureWatch(describe());
    }

    /** Whether this thread is settling the result on the callback executor: callbacks run here then. */
    abstract boolean settlingHere();

    /** Hands {@code task} to the callback executor. */
    abstract void hop(Runnable task);

    /** Completes the result with a value (Hermod only), then runs the callbacks waiting for it. */
    final void settleValue(T value) {
        if (super.complete(value)) {
            FailureWatch w = watch;
            if (w != null) {
                w.succeeded();
            }
        }
        runSettledCallbacks(takeSettledCallbacks());
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
        runSettledCallbacks(takeSettledCallbacks());
    }

    /**
     * Runs {@code callback} with the outcome once the result is settled: by the thread settling
     * it on the callback executor, or handed to the executor (also when already settled: the
     * callback never runs in the registering thread). It derives no stage, so it neither
     * receives a failure for the watch nor carries it on: the caller decides whether it counts
     * as observing.
     */
    @SuppressWarnings("unchecked")
    final void whenSettledRun(BiConsumer<? super T, ? super Throwable> callback) {
        while (true) {
            Object last = settledCallbacks;
            if (last == SETTLED) { // settled: the callbacks were taken
                runSettledCallbacks(callback);
                return;
            }
            Object added = callback; // the first is kept as it is
            if (last != null) {
                SettledCallback node = new SettledCallback(callback);
                node.before = last instanceof SettledCallback chain ? chain : new SettledCallback((BiConsumer<?, ? super Throwable>) last);
                added = node;
            }
            if (SETTLED_CALLBACKS.compareAndSet(this, last, added)) {
                return;
            }
        }
    }

    /**
     * Runs the callbacks, in order, with the outcome: here if this thread is settling the result
     * on the callback executor, otherwise each handed to the executor (one that blocks holds up
     * no other).
     */
    @SuppressWarnings("unchecked")
    private void runSettledCallbacks(Object taken) {
        if (taken == null) {
            return;
        }
        Throwable failure = failure();
        Object value = failure == null ? super.getNow(null) : null;
        boolean here = settlingHere();
        if (!(taken instanceof SettledCallback first)) { // the one callback, as it was added
            runSettled((BiConsumer<Object, Throwable>) taken, value, failure, here);
            return;
        }
        for (SettledCallback c = first; c != null; c = c.before) {
            runSettled(c.callback, value, failure, here);
        }
    }

    private void runSettled(BiConsumer<Object, Throwable> callback, Object value, Throwable failure, boolean here) {
        if (here) {
            runCallback(callback, value, failure);
        } else {
            hop(() -> runCallback(callback, value, failure));
        }
    }

    /** Runs a callback; one that throws is logged, and that is all. */
    private void runCallback(BiConsumer<Object, Throwable> callback, Object value, Throwable failure) {
        try {
            callback.accept(value, failure);
        } catch (RuntimeException | Error e) {
            log.error("a callback of {} threw; the result is unaffected", describe(), e);
        }
    }

    /** Whether callbacks wait for the result to be settled. */
    final boolean hasSettledCallbacks() {
        Object last = settledCallbacks;
        return last != null && last != SETTLED;
    }

    /**
     * Once the result is settled: takes the callbacks added so far, the one callback as it was
     * added, or the first added first (linked by {@link SettledCallback#before}), or null; from
     * now on none is kept, and {@link #whenSettledRun} runs its callback at once.
     */
    private Object takeSettledCallbacks() {
        Object taken = SETTLED_CALLBACKS.getAndSet(this, SETTLED);
        if (!(taken instanceof SettledCallback chain)) {
            return taken; // null or the one callback
        }
        SettledCallback last = chain;
        SettledCallback first = null;
        while (last != null && last != SETTLED) { // reverse: the order they were added in
            SettledCallback before = last.before;
            last.before = first;
            first = last;
            last = before;
        }
        return first;
    }

    /** The watch for unobserved failures, created on first need. */
    private FailureWatch watch() {
        FailureWatch w = watch;
        if (w == null) {
            synchronized (this) {
                w = watch;
                if (w == null) {
                    w = newWatch();
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
        return new DerivedStage<>(callbacks(), watch());
    }

    @Override
    public Executor defaultExecutor() {
        return callbacks();
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
