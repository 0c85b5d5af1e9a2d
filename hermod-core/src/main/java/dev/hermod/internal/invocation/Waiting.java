package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.transport.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A thread waiting for the outcome of a call, and getting it the way a local method call would:
 * the synchronous call ({@link #sync}), the waits of a result ({@link #awaitOutcome}) and the
 * reading of a failure. The waiting thread spins a little before it blocks ({@link SpinWait}).
 * Stateless; each method is for the calling thread alone.
 */
final class Waiting {
    private Waiting() {}

    /**
     * Makes a synchronous call: starts it and waits for its outcome in the calling thread,
     * returning or throwing what the method would. The caller's path to the socket and back:
     * here, {@link RpcConnection#send}, the transport's backlog, the link; the reply returns
     * through the link and {@link RpcConnection} to {@link Call#succeed} and wakes this thread.
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
        Call call = Call.create(op, service, args, options, options.timeout().orElse(invoker.peer().callTimeout()),
                oneway);
        call.awaitedSync = true;
        call.start(invoker);
        try {
            return await(call);
        } finally {
            call.intercepted();
        }
    }

    /**
     * Waits for the outcome of {@code call} in the calling thread and returns it the way a local
     * method call would: the value, or the declared exception, or a fresh copy of the
     * {@link RpcException} made here so the stack trace shows the caller. Interrupting the waiting
     * thread cancels the call.
     */
    static Object await(Call call) throws Throwable {
        Object arrived;
        try {
            call.spinOn(call, call.deadlineNanos());
            arrived = awaitOutcome(call, call.deadlineNanos());
        } catch (InterruptedException e) { // the wait's own: a declared one comes from resolve
            Thread.currentThread().interrupt();
            call.cancel(": the waiting thread was interrupted");
            throw Exceptions.forCaller((RpcException) failureOf(call));
        }
        try {
            return Reply.resolve(call, arrived);
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
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // A result's get() throws CancellationException for a canceled call, as Future requires.
                Throwable cause = e.getCause();
                if (cause instanceof RpcException r) {
                    throw Exceptions.forCaller(r);
                }
                if (e instanceof java.util.concurrent.CancellationException) {
                    throw e;
                }
                throw cause; // a declared exception, exactly as the operation threw it
            } catch (TimeoutException e) {
                if (f.isDone()) {
                    continue;
                }
                throw Failures.timeout("no outcome within a second after the deadline", null, false);
            }
        }
    }

    /** The failure {@code f} completed with, unwrapped; null if it has none (yet). */
    static Throwable failureOf(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            return null;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
        }
    }
}
