package dev.hermod.internal.invocation;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.Progress;
import dev.hermod.internal.dispatch.Executors2;
import dev.hermod.internal.dispatch.SerialExecutor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AsyncResult} of one invocation. It is a {@link CompletableFuture} that only Hermod
 * completes, after the internal outcome of the {@link Call} is known: on the client's callback
 * executor, or, when the outcome arrives while threads wait for it and nothing depends on the
 * result yet, on the first of those threads to wake. So dependent stages never run on an I/O
 * thread, and a thread waiting for the result is woken by the I/O thread itself.
 *
 * <p>It is also every typed form of the result ({@link AsyncResult.Throwing},
 * {@link AsyncResult.Throwing2}), so that a companion method returns it as it is: their exception
 * type arguments are erased, and {@link #value()} throws only the operation's declared checked
 * exceptions (anything else is an unchecked {@link dev.hermod.RpcException}), which is what makes
 * the narrowed {@code throws} clauses true. The fluent methods return this class, a subtype of
 * each form's own return type.
 */
public final class AsyncResultImpl<T> extends CompletableFuture<T>
        implements AsyncResult.Throwing<T, Exception>, AsyncResult.Throwing2<T, Exception, Exception> {
    private static final Logger log = LoggerFactory.getLogger(AsyncResult.class);
    /** In {@link #waitState}: the outcome is there and its settling is arranged. */
    private static final int DECIDED = 1 << 29;
    /** In {@link #waitState}: ... and it was left to the waiting threads. */
    private static final int DEFERRED = 1 << 30;
    private static final VarHandle CLAIMED;
    private static final VarHandle WAIT_STATE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLAIMED = lookup.findVarHandle(AsyncResultImpl.class, "claimed", boolean.class);
            WAIT_STATE = lookup.findVarHandle(AsyncResultImpl.class, "waitState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "hermod-unobserved-failures");
        t.setDaemon(true);
        return t;
    });

    private final Call call;
    private final Client client;
    private final Object proxy;
    private final Executor callbacks;
    /** Whether anyone asked for the outcome; a failure nobody observed is logged. */
    private volatile boolean observed;
    /** Watches a failed result for the log line; created only when the call fails unobserved. */
    private volatile Watch watch;
    /** The callback-executor thread settling this result, while it does. */
    private volatile Thread settler;
    private volatile Progress progress;
    /** Created on first use: most calls never report progress. */
    private volatile ConcurrentLinkedQueue<Consumer<? super Progress>> progressListeners;
    private volatile SerialExecutor progressLane;
    /** Set by the one thread that decodes the reply and completes this result with it. */
    private volatile boolean claimed;
    /**
     * The threads blocked waiting for the outcome (low bits), {@link #DECIDED} once it is known how
     * the arrived outcome is settled, and {@link #DEFERRED} if it arrived while some waited and
     * settling it was left to them: the first to wake settles it, sparing the callback executor a
     * wake-up on the way.
     */
    private volatile int waitState;
    /** Completed once {@link #DECIDED} is set; created by the first waiter. */
    private volatile CompletableFuture<Void> decided;

    private final Executor sentLane;

    private AsyncResultImpl(Call call, Client client, Object proxy, Executor callbacks, Executor sentLane) {
        this.sentLane = sentLane;
        this.call = call;
        this.client = client;
        this.proxy = proxy;
        this.callbacks = callbacks;
    }

    /** Creates the result of {@code call} and links the two; call before starting the call. */
    @SuppressWarnings("unchecked")
    public static <T> AsyncResultImpl<T> of(Call call, Client client, Object proxy, Executor callbacks,
            Executor sentLane) {
        AsyncResultImpl<T> r = new AsyncResultImpl<>(call, client, proxy, callbacks, sentLane);
        call.result = r;
        call.outcome().whenComplete((value, failure) -> r.settleAfterProgress(value, failure));
        return r;
    }

    /**
     * Completes the result right away if it already failed: refused by flow control within the
     * call that started it, say, or canceled by the caller. The caller sees it at once; callbacks
     * registered with {@code onComplete} are still handed to the executor. A reply is left to the
     * thread settling was arranged for: this may be an I/O thread, where decoding must not run.
     */
    public void settleIfDecided() {
        CompletableFuture<Object> outcome = call.outcome();
        if (!isDone() && outcome.isDone()) {
            Throwable failure = Call.failureOf(outcome);
            if (failure != null) { // a reply is decoded where settling was arranged, never here
                settle(null, failure);
            }
        }
    }

    /**
     * Settles on the callback executor, behind the progress reports already received: they
     * arrive on the I/O thread before the reply, so listeners see every report made before the
     * servant answered by the time the result completes. With no progress lane, a thread waiting
     * for the result may settle it instead; waiters are woken once that is decided.
     */
    private void settleAfterProgress(Object outcome, Throwable failure) {
        SerialExecutor lane = progressLane;
        if (!decide(lane == null)) {
            Runnable task = () -> settleHere(outcome, failure);
            if (lane != null) {
                lane.execute(task);
            } else {
                hop(task);
            }
        }
        CompletableFuture<Void> signal = decided; // created before its waiter counted itself in
        if (signal != null) {
            signal.complete(null);
        }
    }

    /**
     * Decides who settles the arrived outcome: the threads waiting for it, if {@code mayDefer},
     * some are waiting and no dependent stage would then run in one of them; otherwise the caller
     * arranges it. Returns whether it was left to the waiters.
     */
    private boolean decide(boolean mayDefer) {
        while (true) {
            int state = waitState;
            boolean deferred = mayDefer && state != 0 && getNumberOfDependents() == 0;
            if (WAIT_STATE.compareAndSet(this, state, state | DECIDED | (deferred ? DEFERRED : 0))) {
                return deferred;
            }
        }
    }

    /**
     * Waits until the call's outcome is there and it is decided who settles this result, or
     * until {@code until} (a {@link System#nanoTime} value), as a registered waiter: should the
     * outcome arrive meanwhile and nothing else depend on the result, this thread settles it.
     * Returns early, without an exception, on timeout.
     */
    private void awaitOutcome(long until) throws InterruptedException {
        if (isDone()) {
            return; // callers have refused to wait on an I/O thread, so decoding never runs there
        }
        CompletableFuture<Void> signal = decided;
        if (signal == null) {
            synchronized (this) {
                signal = decided;
                if (signal == null) {
                    signal = new CompletableFuture<>();
                    decided = signal;
                }
            }
        }
        while (true) {
            int state = waitState;
            if ((state & DECIDED) != 0) {
                return; // someone is settling it, or a waiter did: the caller waits for the result
            }
            if (WAIT_STATE.compareAndSet(this, state, state + 1)) {
                break;
            }
        }
        try {
            long nanos = until - System.nanoTime();
            if (nanos > 0) {
                signal.get(nanos, TimeUnit.NANOSECONDS);
            }
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            // not decided yet: the caller looks at the result itself
        } finally {
            int before = (int) WAIT_STATE.getAndAdd(this, -1);
            if ((before & DEFERRED) != 0) { // left to the waiters: settle it, even if interrupted
                CompletableFuture<Object> outcome = call.outcome();
                Throwable failure = Call.failureOf(outcome);
                settleDecoding(failure == null ? outcome.join() : null, failure);
            }
        }
    }

    /**
     * Settles on the callback executor's thread, which then also runs the callbacks already
     * registered, instead of handing each to the executor again.
     */
    private void settleHere(Object outcome, Throwable failure) {
        settler = Thread.currentThread();
        try {
            settleDecoding(outcome, failure);
        } finally {
            settler = null;
        }
    }

    /**
     * Settles with the outcome, decoding a reply here: on the callback executor's thread, or on a
     * thread waiting for the result, never on an I/O thread (decoding may run user code).
     */
    @SuppressWarnings("unchecked")
    private void settleDecoding(Object outcome, Throwable failure) {
        if (failure != null) {
            settle(null, failure); // nothing to decode: whoever comes first completes it
            return;
        }
        if (isDone() || !CLAIMED.compareAndSet(this, false, true)) {
            return; // settled, or being decoded by another thread
        }
        try {
            settle((T) call.resolve(outcome), null);
        } catch (Throwable t) {
            settle(null, t);
        }
    }

    private void settle(T value, Throwable failure) {
        if (failure == null) {
            super.complete(value);
        } else if (super.completeExceptionally(failure) && !observed) {
            // Watched from here on: should this result become unreachable unobserved, log it.
            Watch w = new Watch(call.describe(), failure);
            watch = w;
            CLEANER.register(this, w);
            if (observed) { // observed() ran before the watch was there to mark
                w.observed = true;
            }
        }
    }

    /**
     * Runs {@code task} on the callback executor; if the executor refuses (it shut down), here, or
     * on the common pool if this is an I/O thread.
     */
    private void hop(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (RejectedExecutionException e) {
            Executors2.runRefused(task);
        }
    }

    private void observed() {
        observed = true;
        Watch w = watch;
        if (w != null) {
            w.observed = true;
        }
    }

    // ---- what it belongs to ----

    @Override
    public String operation() {
        return call.operation().name();
    }

    @Override
    public String service() {
        return call.service();
    }

    @Override
    public Optional<Client> client() {
        return Optional.ofNullable(client);
    }

    @Override
    public Optional<Object> proxy() {
        return Optional.ofNullable(proxy);
    }

    @Override
    public Optional<SocketAddress> remoteAddress() {
        RpcConnection c = call.connection;
        return c == null ? Optional.empty() : Optional.ofNullable(c.link().remoteAddress());
    }

    // ---- state ----

    @Override
    public boolean isSent() {
        return call.isSent();
    }

    @Override
    public boolean sentSynchronously() {
        return call.isSent() && call.sentSynchronously();
    }

    @Override
    public boolean isFailed() {
        return isCompletedExceptionally();
    }

    @Override
    public boolean isExpired() {
        return Call.failureOf(this) instanceof InvocationTimeoutException;
    }

    @Override
    public boolean isCancelled() {
        return Call.failureOf(this) instanceof InvocationCanceledException;
    }

    // ---- waits ----

    @Override
    public AsyncResultImpl<T> waitForCompleted() throws InterruptedException {
        waitUntil(this, Long.MAX_VALUE);
        return this;
    }

    @Override
    public boolean waitForCompleted(Duration timeout) throws InterruptedException {
        return waitUntil(this, System.nanoTime() + timeout.toNanos());
    }

    @Override
    public AsyncResultImpl<T> waitForSent() throws InterruptedException {
        waitUntil(call.sentSignal, Long.MAX_VALUE);
        return this;
    }

    @Override
    public boolean waitForSent(Duration timeout) throws InterruptedException {
        return waitUntil(call.sentSignal, System.nanoTime() + timeout.toNanos()) && isSent();
    }

    /**
     * Waits for {@code f}, never past the call's deadline plus a second, nor past {@code until}.
     * Waiting is not observing: a failure found this way is still logged if nobody looks at it.
     */
    private boolean waitUntil(CompletableFuture<?> f, long until) throws InterruptedException {
        refuseOnIoThread();
        long limit = call.deadlineNanos() + TimeUnit.SECONDS.toNanos(1);
        long end = until - limit < 0 ? until : limit;
        try {
            if (f == this) {
                awaitOutcome(end);
                super.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } else {
                long nanos = Math.max(0, end - System.nanoTime());
                f.get(nanos, TimeUnit.NANOSECONDS);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            return true;
        } catch (TimeoutException e) {
            return f.isDone();
        }
        return true;
    }

    // ---- outcome ----

    @Override
    @SuppressWarnings("unchecked")
    public T value() throws Exception {
        observed();
        refuseOnIoThread();
        try {
            awaitOutcome(call.deadlineNanos() + TimeUnit.SECONDS.toNanos(1));
            return (T) Call.awaitOutcome(this, call.deadlineNanos());
        } catch (InterruptedException e) {
            if (Call.failureOf(this) == e) {
                throw e; // the operation declares it and the servant threw it
            }
            throw interruptedWhileWaiting();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new java.lang.reflect.UndeclaredThrowableException(t);
        }
    }

    /**
     * As for the synchronous call: the thread keeps its interrupt status and the invocation is
     * canceled. A checked {@code InterruptedException} must not escape {@link #value()}, whose
     * typed forms declare only the operation's own exceptions.
     */
    private RuntimeException interruptedWhileWaiting() {
        Thread.currentThread().interrupt();
        if (call.cancel(": the waiting thread was interrupted")) {
            settleIfDecided();
        }
        Throwable failure = Call.failureOf(call.outcome());
        if (failure instanceof dev.hermod.RpcException r) { // canceled now, or failed just before
            return Exceptions.forCaller(r);
        }
        // The outcome arrived first: it stays in this result for whoever looks without waiting.
        return new InvocationCanceledException("waiting for " + call.describe()
                + " was interrupted; the invocation completed meanwhile", null, false);
    }

    /** Blocking on an I/O thread would stall every connection it serves: fail fast instead. */
    private void refuseOnIoThread() {
        if (!isDone() && dev.hermod.internal.transport.Transport.onIoThread()) {
            throw new IllegalStateException("waiting for " + call.describe()
                    + " would block a Hermod I/O thread; use a callback instead");
        }
    }

    @Override
    public Optional<Throwable> error() {
        observed();
        return Optional.ofNullable(Call.failureOf(this));
    }

    @Override
    public T get() throws InterruptedException, java.util.concurrent.ExecutionException {
        observed();
        waitForCompleted();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit)
            throws InterruptedException, java.util.concurrent.ExecutionException, TimeoutException {
        observed();
        refuseOnIoThread();
        long until = System.nanoTime() + Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 4);
        awaitOutcome(until);
        return super.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public T join() {
        observed();
        refuseOnIoThread();
        return super.join();
    }

    @Override
    public T getNow(T valueIfAbsent) {
        observed();
        return super.getNow(valueIfAbsent);
    }

    // ---- cancellation and expiry ----

    @Override
    public boolean cancel() {
        observed();
        if (!call.cancel(" by the caller")) {
            return false;
        }
        if (dev.hermod.internal.transport.Transport.onIoThread()) {
            // Completing here would run dependent stages on the I/O thread.
            hop(this::settleIfDecided);
        } else {
            // As Future.cancel promises: done and canceled once this returns. Callbacks still
            // run on the callback executor.
            settleIfDecided();
        }
        return true;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancel();
    }

    @Override
    public AsyncResultImpl<T> expireAfter(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        call.expireAfter(timeout);
        return this;
    }

    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        expireAfter(Duration.ofNanos(unit.toNanos(timeout)));
        return this;
    }

    // ---- callbacks ----

    @Override
    public AsyncResultImpl<T> onResponse(Consumer<? super T> callback) {
        Objects.requireNonNull(callback, "callback");
        return onComplete((value, failure) -> {
            if (failure == null) {
                callback.accept(value);
            }
        });
    }

    @Override
    public AsyncResultImpl<T> onException(Consumer<? super Throwable> callback) {
        Objects.requireNonNull(callback, "callback");
        return onComplete((value, failure) -> {
            if (failure != null) {
                callback.accept(failure);
            }
        });
    }

    @Override
    public AsyncResultImpl<T> onComplete(BiConsumer<? super T, ? super Throwable> callback) {
        Objects.requireNonNull(callback, "callback");
        observed();
        // Always on the executor: run by the task settling this result, or handed to the executor
        // (also when already complete: the callback never runs in the registering thread).
        super.whenComplete((value, failure) -> {
            Runnable task = () -> guarded(() -> callback.accept(value, unwrap(failure)));
            if (Thread.currentThread() == settler) {
                task.run();
            } else {
                hop(task);
            }
        });
        return this;
    }

    @Override
    public AsyncResultImpl<T> onSent(Consumer<Boolean> callback) {
        Objects.requireNonNull(callback, "callback");
        if (call.isSent() && call.sentSynchronously()) {
            guarded(() -> callback.accept(Boolean.TRUE)); // Ice: the calling thread, when sent within the call
            return this;
        }
        // One lane for the client's sent callbacks: they run in the order the requests were written.
        call.sentSignal.thenAccept(sent -> {
            if (sent) {
                sentLane.execute(() -> guarded(() -> callback.accept(call.sentSynchronously())));
            }
        });
        return this;
    }

    @Override
    public Optional<Progress> progress() {
        return Optional.ofNullable(progress);
    }

    private SerialExecutor progressLane() {
        SerialExecutor lane = progressLane;
        if (lane == null) {
            synchronized (this) {
                lane = progressLane;
                if (lane == null) {
                    progressListeners = new ConcurrentLinkedQueue<>();
                    lane = SerialExecutor.orRunHere(callbacks);
                    progressLane = lane;
                }
            }
        }
        return lane;
    }

    @Override
    public AsyncResultImpl<T> onProgress(Consumer<? super Progress> callback) {
        Objects.requireNonNull(callback, "callback");
        progressLane().execute(() -> {
            progressListeners.add(callback);
            Progress latest = progress;
            if (latest != null) {
                guarded(() -> callback.accept(latest));
            }
        });
        return this;
    }

    /** A progress report arrived (on the I/O thread): record it and tell the listeners in order. */
    void progressed(Progress p) {
        progressLane().execute(() -> {
            progress = p;
            for (Consumer<? super Progress> l : progressListeners) {
                guarded(() -> l.accept(p));
            }
        });
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void guarded(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            log.error("a callback of {} threw; the result is unaffected", call.describe(), e);
        }
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

    // ---- dependent stages ----

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        observed(); // every dependent stage passes the failure on: someone will see it
        return new Dependent<>(callbacks);
    }

    @Override
    public Executor defaultExecutor() {
        return callbacks;
    }

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        observed();
        return this;
    }

    @Override
    public String toString() {
        String state = !isDone() ? (isSent() ? "sent" : "pending")
                : isCompletedExceptionally() ? "failed: " + Call.failureOf(this) : "completed";
        return "AsyncResult[" + call.describe() + ", " + state + "]";
    }

    /** Stages derived from a result: they run their *Async steps on the callback executor too. */
    private static final class Dependent<U> extends CompletableFuture<U> {
        private final Executor executor;

        Dependent(Executor executor) {
            this.executor = executor;
        }

        @Override
        public <V> CompletableFuture<V> newIncompleteFuture() {
            return new Dependent<>(executor);
        }

        @Override
        public Executor defaultExecutor() {
            return executor;
        }
    }

    /**
     * Logs a failure that nobody looked at once the result becomes unreachable (Kaa's
     * "Unhandled asynchronous exception"). Holds no reference to the result itself.
     */
    private static final class Watch implements Runnable {
        private final String what;
        private final Throwable failure;
        volatile boolean observed;

        Watch(String what, Throwable failure) {
            this.what = what;
            this.failure = failure;
        }

        @Override
        public void run() {
            if (!observed) {
                log.error("unhandled asynchronous exception: {} failed and nobody observed it", what, failure);
            }
        }
    }
}
