package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.internal.contract.Contract;
import dev.hermod.internal.contract.Operation;

/** What a proxy needs from the client that made it. */
public interface Invoker {
    /** Runs a call synchronously in the calling thread and returns or throws what the method would. */
    Object invokeSync(Operation op, String service, Object[] args, CallOptions options, boolean oneway)
            throws Throwable;

    /** Starts a call and returns its result handle at once. */
    AsyncResultImpl<Object> invokeAsync(Operation op, String service, Object[] args, CallOptions options,
            Object proxy, boolean oneway);

    /** A new, empty batch queue for a batch proxy. */
    BatchQueue newBatchQueue();

    /**
     * Queues a call on a batch proxy; returns what the proxy method returns: null for a
     * synchronous oneway call, an {@link AsyncResultImpl} for an asynchronous one.
     */
    Object enqueue(BatchQueue queue, Operation op, String service, Object[] args, CallOptions options, Object proxy);

    /** Sends what {@code queue} holds; completes when written. */
    java.util.concurrent.CompletableFuture<Void> flush(BatchQueue queue);

    /** Waits for a flush, bounded by the client's call timeout, rethrowing its failure. */
    void await(java.util.concurrent.CompletableFuture<Void> flush);

    /** Reads (once) and returns the contract of {@code type}. */
    Contract contract(Class<?> type);

    /** Describes where calls go, for {@code toString}. */
    String describeTarget();
}
