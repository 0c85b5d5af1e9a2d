package dev.hermod.internal.invocation;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.Progress;
import dev.hermod.connection.Connection;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.dispatch.SerialExecutor;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// One file, near 500 lines: it is the whole of the public AsyncResult (waiting, callbacks,
// progress, cancel, the typed forms), each method a few lines over the one call and the settling
// layer below it.
/**
 * The {@link AsyncResult} of one invocation: what it belongs to, its state, waits, cancellation,
 * callbacks and dependent stages. It is a {@link CompletableFuture} that only Hermod completes,
 * after the internal outcome of the {@link Call} is known; which thread does that is the
 * decision of the layer below, {@link ResultSettler}. Progress reports are a {@link ResultProgress}; a failure
 * nobody received is logged by a {@link FailureWatch}, which watches the stages derived from the
 * result too ({@link DerivedStage}); {@link WatchedStage} says which methods receive a failure,
 * and {@link ResultFuture} keeps users from completing the result.
 *
 * <p>It is also every typed form of the result ({@link AsyncResult.Throwing},
 * {@link AsyncResult.Throwing2}), so that a companion method returns it as it is: their exception
 * type arguments are erased, and {@link #value()} throws only the operation's declared checked
 * exceptions (anything else is an unchecked {@link dev.hermod.RpcException}), which is what makes
 * the narrowed {@code throws} clauses true. The fluent methods return this class, a subtype of
 * each form's own return type.
 */
public final class AsyncResultImpl<T> extends ResultSettler<T>
        implements AsyncResult.Throwing<T, Exception>, AsyncResult.Throwing2<T, Exception, Exception> {
    private static final Logger log = LoggerFactory.getLogger(AsyncResult.class);

    // The client's side of the call (its client, callback executor and lane of sent callbacks),
    // the proxy, and the progress reports are kept by the call, not here: a result per
    // asynchronous call, as small as it can be.
    private AsyncResultImpl(Call call, Peer peer, Object proxy) {
        super(call);
        call.peer = peer;
        call.proxy = proxy;
    }

    /**
     * Makes an asynchronous call: starts it and returns its result at once, settled already if
     * the call was decided while starting (refused by flow control, say). The call goes on to
     * {@link Call#start}, {@link RpcConnection#send}, the transport's backlog and the link; the
     * reply returns through the link and {@link RpcConnection} to the call, which settles this
     * result on the callback executor.
     *
     * @throws IllegalStateException if the invoker takes no more calls
     */
    public static AsyncResultImpl<Object> start(Invoker invoker, Operation op, String service, Object[] args,
            CallOptions options, Object proxy, boolean oneway) {
        Peer peer = invoker.peer();
        Call call = Call.create(op, service, args, options, options.timeout().orElse(peer.callTimeout()), oneway);
        AsyncResultImpl<Object> result = of(call, peer, proxy);
        call.starting(true);
        try {
            if (call.streams == null || !call.streams.intercept(invoker, dev.hermod.intercept.ClientCall.Kind.ASYNC)) {
                call.start(invoker);
            } // else decided by an interceptor: never sent
        } finally {
            call.starting(false);
        }
        result.settleIfDecided();
        return result;
    }

    @Override
    Executor callbacks() {
        return call.peer.callbacks();
    }

    /** Creates the result of {@code call} and links the two; call before starting the call. */
    public static <T> AsyncResultImpl<T> of(Call call, Peer peer, Object proxy) {
        AsyncResultImpl<T> r = new AsyncResultImpl<>(call, peer, proxy);
        call.result = r; // the call tells it its outcome: outcomeArrived
        return r;
    }

    /**
     * The call's outcome is decided (in the thread that decided it). Told by the call itself,
     * which spares a dependent stage of its outcome per call.
     *
     * @param here settle it in this thread, an I/O thread that read the reply, if no waiting thread
     *     or progress report comes first: the client asked for direct callbacks
     */
    void outcomeArrived(boolean here) {
        arrived(here);
    }

    /**
     * Completes the result right away if its outcome was decided within the call that started
     * it: refused by flow control, say, canceled by the caller, or a oneway call handed over or
     * queued in a batch. The caller sees it at once; callbacks registered with {@code onComplete}
     * are still handed to the executor. A reply is left to the thread settling was arranged for:
     * this may be an I/O thread, where decoding must not run, nor dependent stages.
     */
    @Override
    public void settleIfDecided() {
        CompletableFuture<Object> outcome = call.outcome();
        if (!isDone() && outcome.isDone()) {
            Throwable failure = Waiting.failureOf(outcome);
            if (failure != null) { // a reply is decoded where settling was arranged, never here
                settle(null, failure);
            } else if (!(outcome.join() instanceof Reply)
                    && !dev.hermod.internal.transport.Transport.onIoThread()) {
                settle(outcome.join(), null); // nothing to decode: a oneway call's null
            }
        }
    }

    /** Completes the result: only the settling layer, and an outcome found at the start, do. */
    @Override
    @SuppressWarnings("unchecked")
    void settle(Object value, Throwable failure) {
        call.intercepted(); // before any dependent stage runs: the interceptors see the outcome first
        if (call.streams != null) {
            call.streams.intercepted(); // a call that sends streams is shown to them by its streams
        }
        if (failure == null) {
            settleValue((T) value);
        } else {
            settleFailure(failure);
        }
    }

    @Override
    String describe() {
        return call.describe();
    }

    @Override
    FailureWatch newWatch() {
        // The call's operation and service, not the call, which holds this result.
        return new FailureWatch(call.operation, call.service);
    }

    /** The call behind this result, for the combinators' checks. */
    Call call() {
        return call;
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
        return Optional.ofNullable(call.peer.client());
    }

    @Override
    public Optional<Object> proxy() {
        return Optional.ofNullable(call.proxy);
    }

    @Override
    public Optional<SocketAddress> remoteAddress() {
        RpcConnection c = call.connection;
        return c == null ? Optional.empty() : Optional.ofNullable(c.link().remoteAddress());
    }

    @Override
    public Optional<Connection> connection() {
        RpcConnection c = call.connection;
        return c == null ? Optional.empty() : Optional.of(c.handle());
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
        return failure() instanceof InvocationTimeoutException;
    }

    @Override
    public boolean isCancelled() {
        return failure() instanceof InvocationCanceledException;
    }

    // ---- waits ----

    @Override
    public AsyncResultImpl<T> waitForCompleted() throws InterruptedException {
        waitUntil(this, Long.MAX_VALUE);
        return this;
    }

    @Override
    public boolean waitForCompleted(Duration timeout) throws InterruptedException {
        return waitUntil(this, System.nanoTime() + Call.timeoutNanos(timeout));
    }

    @Override
    public AsyncResultImpl<T> waitForSent() throws InterruptedException {
        waitUntil(call.sentSignal(), Long.MAX_VALUE);
        return this;
    }

    @Override
    public boolean waitForSent(Duration timeout) throws InterruptedException {
        return waitUntil(call.sentSignal(), System.nanoTime() + Call.timeoutNanos(timeout)) && isSent();
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
            return (T) Waiting.awaitOutcome(this, call.deadlineNanos());
        } catch (InterruptedException e) {
            if (failure() == e) {
                throw e; // the operation declares it and the servant threw it
            }
            throw interruptedWhileWaiting();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new java.lang.reflect.UndeclaredThrowableException(t);
        }
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
        return Optional.ofNullable(failure());
    }

    /**
     * {@inheritDoc} As {@code Future} requires, a canceled result ({@link #isCancelled()}) throws a
     * {@link CancellationException}, whose cause is the {@link InvocationCanceledException}.
     */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        observed();
        waitForCompleted();
        try {
            return super.get();
        } catch (ExecutionException e) {
            throw canceled(e.getCause()).orElseThrow(() -> e);
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        observed();
        refuseOnIoThread();
        long until = System.nanoTime() + Math.min(unit.toNanos(timeout), Long.MAX_VALUE / 4);
        awaitOutcome(until);
        try {
            return super.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw canceled(e.getCause()).orElseThrow(() -> e);
        }
    }

    @Override
    public T join() {
        observed();
        refuseOnIoThread();
        try {
            return super.join();
        } catch (CompletionException e) {
            throw canceled(e.getCause()).orElseThrow(() -> e);
        }
    }

    @Override
    public T getNow(T valueIfAbsent) {
        observed();
        try {
            return super.getNow(valueIfAbsent);
        } catch (CompletionException e) {
            throw canceled(e.getCause()).orElseThrow(() -> e);
        }
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

    /**
     * {@inheritDoc} A oneway result has no response: the callback is never run (Ice). A response
     * callback does not receive a failure, so it does not count as observing one.
     */
    @Override
    public AsyncResultImpl<T> onResponse(Consumer<? super T> callback) {
        Objects.requireNonNull(callback, "callback");
        if (call.isOneway()) {
            return this; // no reply will come: nothing to report, not even a made-up null
        }
        return whenSettled((value, failure) -> {
            if (failure == null) {
                callback.accept(value);
            }
        });
    }

    @Override
    public AsyncResultImpl<T> onException(Consumer<? super Throwable> callback) {
        Objects.requireNonNull(callback, "callback");
        observed();
        return whenSettled((value, failure) -> {
            if (failure != null) {
                callback.accept(failure);
            }
        });
    }

    @Override
    public AsyncResultImpl<T> onComplete(BiConsumer<? super T, ? super Throwable> callback) {
        Objects.requireNonNull(callback, "callback");
        observed();
        return whenSettled(callback);
    }

    /** Runs {@code callback} with the outcome on the callback executor: see {@link #whenSettledRun}. */
    private AsyncResultImpl<T> whenSettled(BiConsumer<? super T, ? super Throwable> callback) {
        whenSettledRun(callback);
        return this;
    }

    @Override
    public AsyncResultImpl<T> onSent(Consumer<Boolean> callback) {
        Objects.requireNonNull(callback, "callback");
        if (call.isSent() && call.sentSynchronously()) {
            guarded(call, () -> callback.accept(Boolean.TRUE)); // Ice: the calling thread, when sent within the call
            return this;
        }
        // One lane for the client's sent callbacks: they run in the order the requests were written.
        call.sentSignal().thenAccept(sent -> {
            if (sent) {
                call.peer.sentLane().execute(() -> guarded(call, () -> callback.accept(call.sentSynchronously())));
            }
        });
        return this;
    }

    @Override
    public Optional<Progress> progress() {
        ResultProgress p = call.progress();
        return Optional.ofNullable(p == null ? null : p.latest());
    }

    @Override
    public AsyncResultImpl<T> onProgress(Consumer<? super Progress> callback) {
        Objects.requireNonNull(callback, "callback");
        tracker().listen(callback);
        return this;
    }

    /** A progress report arrived (on the I/O thread): record it and tell the listeners in order. */
    void progressed(Progress p) {
        tracker().reported(p);
    }

    /** The progress of this call, made on first use. */
    private ResultProgress tracker() {
        ResultProgress p = call.progress();
        return p != null ? p : call.progress(new ResultProgress(call, callbacks()));
    }

    /** The lane progress reports run in, or null if nothing used progress yet. */
    @Override
    SerialExecutor progressLane() {
        ResultProgress p = call.progress();
        return p == null ? null : p.laneIfAny();
    }

    /** Runs a user callback of {@code call}'s result; one that throws is logged, and that is all. */
    static void guarded(Call call, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            log.error("a callback of {} threw; the result is unaffected", call.describe(), e);
        }
    }

    @Override
    public String toString() {
        String state = !isDone() ? (isSent() ? "sent" : "pending")
                : isCompletedExceptionally() ? "failed: " + failure() : "completed";
        return "AsyncResult[" + call.describe() + ", " + state + "]";
    }
}
