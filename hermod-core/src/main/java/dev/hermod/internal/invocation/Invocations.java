package dev.hermod.internal.invocation;

import dev.hermod.ConnectionException;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.MarshalException;
import dev.hermod.RpcException;
import dev.hermod.internal.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The steps of an invocation that a client and an object reference take alike; they differ only
 * in how a call finds its connection.
 */
public final class Invocations {
    private Invocations() {}

    /**
     * Starts an asynchronous call and returns its result: settled already if the call was decided
     * while starting (refused by flow control, say).
     */
    public static AsyncResultImpl<Object> startAsync(Call call, Peer peer, Object proxy, Consumer<Call> start) {
        AsyncResultImpl<Object> result = AsyncResultImpl.of(call, peer.client(), proxy, peer.callbacks(),
                peer.sentLane());
        call.starting(true);
        try {
            start.accept(call);
        } finally {
            call.starting(false);
        }
        result.settleIfDecided();
        return result;
    }

    /**
     * Starts a call and waits for its outcome in the calling thread, returning or throwing what
     * the method would.
     *
     * @throws IllegalStateException if the calling thread is a Hermod I/O thread, which must never block
     */
    public static Object runSync(Call call, Consumer<Call> start) throws Throwable {
        if (Transport.onIoThread()) {
            throw new IllegalStateException("a synchronous call to " + call.operation().displayName()
                    + " would block a Hermod I/O thread; call it from another thread");
        }
        start.accept(call);
        return call.await();
    }

    /**
     * Queues a call on a batch proxy; returns what the proxy method returns: null for a
     * synchronous oneway call, the result for an asynchronous one.
     */
    public static Object enqueue(BatchQueue queue, Call call, Peer peer, Object proxy) {
        AsyncResultImpl<Object> result = call.operation().isAsync()
                ? AsyncResultImpl.of(call, peer.client(), proxy, peer.callbacks(), peer.sentLane())
                : null;
        try {
            queue.add(call);
        } catch (MarshalException e) {
            if (result == null) {
                throw e;
            }
            call.fail(e);
            return result;
        }
        if (!call.isOneway()) {
            call.schedule(peer.timer());
        }
        return result;
    }

    /**
     * Sends the requests of a batch over a connection; if that fails, the two-way calls among
     * them fail with why.
     */
    public static CompletableFuture<Void> sendBatch(CompletableFuture<RpcConnection> connection,
            List<BatchQueue.Item> items) {
        if (items.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return connection.thenCompose(conn -> conn.sendBatch(items)).whenComplete((v, e) -> {
            if (e != null) {
                Throwable why = unwrap(e);
                for (BatchQueue.Item item : items) {
                    item.fail(why); // the two-way calls of a batch that never left
                }
            }
        });
    }

    /** Waits for a batch flush, bounded by {@code timeout}, rethrowing its failure. */
    public static void awaitFlush(CompletableFuture<Void> flush, Duration timeout, Object target) {
        try {
            flush.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e.getCause());
            if (cause instanceof RpcException r) {
                throw Exceptions.forCaller(r);
            }
            throw new ConnectionException("the batch flush to " + target + " failed: " + cause, cause, false);
        } catch (TimeoutException e) {
            throw new InvocationTimeoutException("the batch flush to " + target + " was not written within "
                    + timeout.toMillis() + " ms", null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvocationCanceledException("interrupted while flushing a batch", e, false);
        }
    }

    /** The cause of a {@link CompletionException}, or {@code t} itself. */
    public static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
