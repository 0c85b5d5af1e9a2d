package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.RpcException;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.dispatch.Invocation;
import dev.hermod.internal.transport.Transport;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One outgoing invocation, from the moment a proxy method is called until its outcome is known.
 * The outcome is a value (null for void), a declared exception, or an {@link RpcException}; it is
 * set exactly once, by whichever comes first of the reply, the deadline, a connection failure or
 * cancellation. Completed on whichever thread decides it: user-facing callbacks hop elsewhere
 * ({@link AsyncResultImpl}).
 */
public final class Call implements Invocation.Child {
    final Operation operation;
    final String service;
    final Object[] args;
    final CallOptions options;
    /** Sent without expecting a reply: complete once written. */
    final boolean oneway;
    private final CompletableFuture<Object> outcome = new CompletableFuture<>();
    /** Completes with true when the request is handed to the transport, false if the call ends first. */
    final CompletableFuture<Boolean> sentSignal = new CompletableFuture<>();
    private volatile boolean sent;
    private volatile boolean sentSynchronously;
    private final long startNanos;
    private volatile long deadlineNanos;
    /** The thread inside the call that started this invocation, while it is inside. */
    private volatile Thread starter;
    /** The bytes reached the socket: the server may have run the operation. */
    volatile boolean written;
    volatile RpcConnection connection;
    volatile int requestId;
    /** Receives progress reports; set for asynchronous invocations only. */
    volatile AsyncResultImpl<?> result;
    private volatile Timer wheel;
    private volatile Timeout timer;

    private Call(Operation operation, String service, Object[] args, CallOptions options, Duration timeout,
            boolean oneway) {
        this.oneway = oneway;
        this.operation = operation;
        this.service = service;
        this.args = args;
        this.options = options;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = startNanos + timeout.toNanos();
    }

    /**
     * Creates a call whose deadline is {@code timeout} from now. A call made while the thread is
     * dispatching another invocation inherits that invocation's deadline when it is earlier, and
     * a two-way one is canceled when that invocation is canceled or completes.
     */
    public static Call create(Operation operation, String service, Object[] args, CallOptions options,
            Duration timeout) {
        return create(operation, service, args, options, timeout, false);
    }

    /**
     * Makes a synchronous call: starts it and waits for its outcome in the calling thread,
     * returning or throwing what the method would. The caller's path to the socket and back:
     * here, {@link RpcConnection#send}, the transport's backlog, the link; the reply returns
     * through the link and {@link RpcConnection} to {@link #complete} and wakes this thread.
     *
     * @throws IllegalStateException if the calling thread is a Hermod I/O thread, which must never
     *     block, or if the invoker takes no more calls
     */
    static Object sync(Invoker invoker, Operation op, String service, Object[] args, CallOptions options,
            boolean oneway) throws Throwable {
        if (Transport.onIoThread()) {
            throw new IllegalStateException("a synchronous call to " + op.displayName()
                    + " would block a Hermod I/O thread; call it from another thread");
        }
        Call call = create(op, service, args, options, options.timeout().orElse(invoker.peer().callTimeout()),
                oneway);
        call.start(invoker);
        return call.await();
    }

    /**
     * Sends the call over the connection its invoker picks, now or once that connection is
     * there, and arms its deadline.
     *
     * @throws IllegalStateException if the invoker takes no more calls
     */
    void start(Invoker invoker) {
        invoker.ensureOpen();
        schedule(invoker.peer().timer());
        CompletableFuture<RpcConnection> c = invoker.connectionFor(this);
        if (c.isDone() && !c.isCompletedExceptionally()) {
            c.join().send(this);
        } else {
            c.whenComplete((conn, failure) -> {
                if (failure != null) {
                    fail(Exceptions.unwrap(failure));
                } else {
                    conn.send(this);
                }
            });
        }
    }

    /** Creates a call, oneway or not; see {@link #create(Operation, String, Object[], CallOptions, Duration)}. */
    public static Call create(Operation operation, String service, Object[] args, CallOptions options,
            Duration timeout, boolean oneway) {
        Invocation parent = Invocation.current();
        if (parent != null) {
            long left = parent.remainingNanos();
            if (left < timeout.toNanos()) {
                timeout = Duration.ofNanos(Math.max(1, left));
            }
        }
        Call call = new Call(operation, service, args, options, timeout, oneway);
        if (parent != null && !oneway) {
            // A oneway call (an event, typically) is fire-and-forget: it is not canceled when
            // the invocation that made it ends, even if the transport has not taken it yet.
            parent.adopt(call);
        }
        return call;
    }

    /**
     * Creates a oneway call of Hermod's own, which belongs to no invocation: nothing cancels it
     * when the invocation the calling thread is serving ends.
     */
    static Call control(Operation operation, String service, Object[] args, Duration timeout) {
        return new Call(operation, service, args, CallOptions.defaults(), timeout, true);
    }

    /** The operation and service, for messages: {@code getName on service 'employees'}. */
    String describe() {
        return describe(operation, service);
    }

    /** {@code getName on service 'employees'}, or {@code onEvent on object @3 (Listener)}. */
    static String describe(Operation operation, String service) {
        return operation.describeOn(service);
    }

    /** The operation invoked. */
    public Operation operation() {
        return operation;
    }

    /** The service name. */
    public String service() {
        return service;
    }

    /** When the deadline passes, in {@link System#nanoTime()} terms. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Marks the start and end of the call that starts this invocation in the calling thread. */
    public void starting(boolean inside) {
        starter = inside ? Thread.currentThread() : null;
    }

    /** Arms the deadline timer. */
    public void schedule(Timer wheel) {
        this.wheel = wheel;
        arm(deadlineNanos - System.nanoTime());
    }

    private void arm(long delayNanos) {
        Timeout t = wheel.newTimeout(x -> expire(), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        Timeout old = timer;
        timer = t;
        if (old != null) {
            old.cancel();
        }
        if (outcome.isDone()) {
            t.cancel();
        }
    }

    /** Moves the deadline earlier; a later one is ignored. */
    void expireAfter(Duration timeout) {
        long candidate = System.nanoTime() + timeout.toNanos();
        if (candidate - deadlineNanos < 0 && !outcome.isDone()) {
            deadlineNanos = candidate;
            if (wheel != null) {
                arm(candidate - System.nanoTime());
            }
        }
    }

    /** The internal outcome: completed on the thread that decides it. */
    CompletableFuture<Object> outcome() {
        return outcome;
    }

    public boolean isDone() {
        return outcome.isDone();
    }

    /** A progress report arrived from the server. Called on the I/O thread. */
    void progress(double fraction, String message) {
        AsyncResultImpl<?> r = result;
        if (r != null) {
            r.progressed(new dev.hermod.Progress(fraction, message));
        }
    }

    /** Called when the request frame has been handed to the transport. */
    void markSent() {
        sentSynchronously = Thread.currentThread() == starter;
        sent = true;
        sentSignal.complete(Boolean.TRUE);
    }

    boolean isSent() {
        return sent;
    }

    boolean sentSynchronously() {
        return sentSynchronously;
    }

    /** Whether the call expects no reply. */
    public boolean isOneway() {
        return oneway;
    }

    void complete(Object value) {
        if (outcome.complete(value)) {
            settled();
        }
    }

    /** Fails the call, unless its outcome is already known. */
    public void fail(Throwable failure) {
        if (outcome.completeExceptionally(failure)) {
            settled();
        }
    }

    private void settled() {
        Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
        sentSignal.complete(Boolean.FALSE); // a call that ended unsent is never sent later
    }

    /** Called by the timer when the deadline passes. */
    void expire() {
        if (outcome.isDone()) {
            return;
        }
        boolean mayHaveRun = written || sent;
        InvocationTimeoutException expired = new InvocationTimeoutException(describe() + " timed out after "
                + TimeUnit.NANOSECONDS.toMillis(deadlineNanos - startNanos) + " ms", null, !mayHaveRun);
        if (!outcome.completeExceptionally(expired)) {
            return;
        }
        settled();
        RpcConnection c = connection;
        if (c != null) {
            c.forget(this);
            if (mayHaveRun) {
                c.sendCancel(this); // the server may stop work nobody waits for
            }
        }
    }

    /**
     * Cancels the call: fails it with {@link InvocationCanceledException} and, if the request may
     * have reached the server, tells the server.
     *
     * @return true if this canceled the call
     */
    @Override
    public boolean cancel(String why) {
        if (outcome.isDone()) {
            return false;
        }
        boolean mayHaveRun = written || isSent();
        InvocationCanceledException canceled =
                new InvocationCanceledException(describe() + " canceled" + why, null, !mayHaveRun);
        if (!outcome.completeExceptionally(canceled)) {
            return false;
        }
        settled();
        RpcConnection c = connection;
        if (c != null) {
            c.forget(this);
            if (mayHaveRun) {
                c.sendCancel(this);
            }
        }
        return true;
    }

    @Override
    public void whenDone(Runnable action) {
        outcome.whenComplete((v, e) -> action.run());
    }

    /**
     * Waits for the outcome in the calling thread and returns it the way a local method call
     * would: the value, or the declared exception, or a fresh copy of the {@link RpcException}
     * made here so the stack trace shows the caller. Interrupting the waiting thread cancels the
     * call.
     */
    public Object await() throws Throwable {
        Object arrived;
        try {
            arrived = awaitOutcome(outcome, deadlineNanos);
        } catch (InterruptedException e) { // the wait's own: a declared one comes from resolve
            Thread.currentThread().interrupt();
            cancel(": the waiting thread was interrupted");
            throw Exceptions.forCaller((RpcException) failureOf(outcome));
        }
        try {
            return Reply.resolve(this, arrived);
        } catch (RpcException e) {
            throw e;
        } catch (Throwable declared) {
            // Decoded for this call alone, so it is ours to change: show the caller's stack.
            declared.fillInStackTrace();
            throw declared;
        }
    }

    /** Waits for {@code f} up to a second past {@code deadline} (the timer normally ends it first). */
    static <V> V awaitOutcome(CompletableFuture<V> f, long deadline) throws Throwable {
        while (true) {
            try {
                long wait = deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                return f.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RpcException r) {
                    throw Exceptions.forCaller(r);
                }
                throw cause; // a declared exception, exactly as the operation threw it
            } catch (TimeoutException e) {
                if (f.isDone()) {
                    continue;
                }
                throw new InvocationTimeoutException("no outcome within a second after the deadline", null, false);
            }
        }
    }

    static Throwable failureOf(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            return null;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
        }
    }
}
