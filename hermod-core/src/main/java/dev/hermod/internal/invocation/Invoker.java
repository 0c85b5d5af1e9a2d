package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.internal.contract.Operation;
import java.util.concurrent.CompletableFuture;

/**
 * Where a proxy's calls go: a client, whose pool picks a connection per call, or an object
 * reference, whose calls all go over the connection it was received on.
 */
public interface Invoker {
    /** What the calls share: contracts, the deadline timer, the callback executor, the default timeout. */
    Peer peer();

    /**
     * Refuses a call at its start if no more calls may start here.
     *
     * @throws IllegalStateException if the client is shut down
     */
    void ensureOpen();

    /**
     * The connection {@code call} is to be sent over; it may complete later (a connection being
     * opened), or fail with why the call cannot be sent.
     */
    CompletableFuture<RpcConnection> connectionFor(Call call);

    /** A new, empty batch queue for a batch proxy. */
    BatchQueue newBatchQueue();

    /**
     * Queues a call on a batch proxy; returns what the proxy method returns: null for a
     * synchronous oneway call, an {@link AsyncResultImpl} for an asynchronous one.
     */
    Object enqueue(BatchQueue queue, Operation op, String service, Object[] args, CallOptions options, Object proxy);

    /**
     * Sends what {@code queue} holds; the result is sent when the batch is handed to the
     * transport and completes when it is written.
     *
     * @param proxy the batch proxy that owns the queue
     * @param service that proxy's service
     */
    AsyncResultImpl<Void> flush(BatchQueue queue, Object proxy, String service);

    /** When calls that failed are sent again, or null if they are not. */
    default Retries retries() {
        return null;
    }

    /**
     * How long a call that failed should wait before it is sent again: 0 for at once; -1 if it
     * should not be, because the invoker is closed or its target unreachable for good.
     */
    default long nanosUntilRetry() {
        return -1;
    }

    /**
     * As {@link #nanosUntilRetry()}, for {@code call}: a call that must go to one endpoint
     * ({@link Call#mayHaveRunAt()}) waits for that one.
     */
    default long nanosUntilRetry(Call call) {
        return nanosUntilRetry();
    }

    /**
     * Where the calls of a sticky proxy go: an invoker whose calls all go to one endpoint, chosen
     * at the first call, while it is available. This invoker itself if its calls go to one
     * connection anyway (an object reference).
     */
    default Invoker sticky() {
        return this;
    }

    /** Describes where calls go, for {@code toString}. */
    String describeTarget();
}
