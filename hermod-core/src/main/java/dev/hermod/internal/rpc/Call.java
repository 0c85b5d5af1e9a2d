package dev.hermod.internal.rpc;

import dev.hermod.CallOptions;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.RpcException;
import dev.hermod.internal.contract.Operation;
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
 * cancellation.
 */
public final class Call {
    final Operation operation;
    final String service;
    final Object[] args;
    final CallOptions options;
    final long timeoutNanos;
    final long deadlineNanos;
    private final CompletableFuture<Object> outcome = new CompletableFuture<>();
    volatile boolean written;
    volatile RpcConnection connection;
    int requestId;
    private volatile Timeout timer;

    /** Creates a call whose deadline starts now. */
    public static Call create(Operation operation, String service, Object[] args, CallOptions options,
            Duration timeout) {
        return new Call(operation, service, args, options, timeout);
    }

    private Call(Operation operation, String service, Object[] args, CallOptions options, Duration timeout) {
        this.operation = operation;
        this.service = service;
        this.args = args;
        this.options = options;
        this.timeoutNanos = timeout.toNanos();
        this.deadlineNanos = System.nanoTime() + timeoutNanos;
    }

    /** The operation and service, for messages: {@code getName on service 'employees'}. */
    String describe() {
        return operation.name() + " on service '" + service + "'";
    }

    /** Arms the deadline timer. */
    public void schedule(Timer wheel) {
        Timeout t = wheel.newTimeout(x -> expire(), timeoutNanos, TimeUnit.NANOSECONDS);
        this.timer = t;
        if (outcome.isDone()) {
            t.cancel();
        }
    }

    boolean isDone() {
        return outcome.isDone();
    }

    void complete(Object value) {
        if (outcome.complete(value)) {
            cancelTimer();
        }
    }

    /** Fails the call, unless its outcome is already known. */
    public void fail(Throwable failure) {
        if (outcome.completeExceptionally(failure)) {
            cancelTimer();
        }
    }

    private void cancelTimer() {
        Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
    }

    /** Called by the timer when the deadline passes. */
    void expire() {
        RpcConnection c = connection;
        if (c != null) {
            c.forget(this);
        }
        fail(new InvocationTimeoutException(describe() + " timed out after "
                + Duration.ofNanos(timeoutNanos).toMillis() + " ms", null, !written));
    }

    /**
     * Waits for the outcome in the calling thread and returns it the way a local method call
     * would: the value, or the declared exception, or a fresh copy of the {@link RpcException}
     * made here so the stack trace shows the caller.
     */
    public Object await() throws Throwable {
        try {
            // The timer fails the call at its deadline; the extra second only guards against a lost timer.
            long wait = deadlineNanos - System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            return outcome.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RpcException r) {
                throw Exceptions.forCaller(r);
            }
            // A declared exception, decoded for this call only: give it the caller's stack.
            cause.fillInStackTrace();
            throw cause;
        } catch (TimeoutException e) {
            expire();
            return await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            RpcConnection c = connection;
            if (c != null) {
                c.forget(this);
            }
            InvocationCanceledException canceled = new InvocationCanceledException(
                    describe() + " canceled: the waiting thread was interrupted", e, !written);
            fail(canceled);
            throw canceled;
        }
    }
}
