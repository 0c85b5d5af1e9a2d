package dev.hermod;

import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * One open connection of a {@link Client} to its server, as {@link Client#connections()} lists
 * them.
 *
 * <p>A handle only: it does not keep the connection open, and its methods fail once the
 * connection has closed. Thread-safe.
 *
 * @since 0.1
 */
public interface Connection {

    /**
     * Returns the server's address.
     *
     * @return the peer address
     */
    SocketAddress remoteAddress();

    /**
     * Tells whether the connection is open and accepts new calls.
     *
     * @return true if usable
     */
    boolean isOpen();

    /**
     * Returns the number of calls on this connection waiting for a reply.
     *
     * @return the outstanding calls
     */
    int outstandingCalls();

    /**
     * Returns the bytes of requests held back by flow control because the network cannot take
     * them yet; bounded by {@link Client.Builder#maxQueuedBytes} for asynchronous calls.
     *
     * @return bytes waiting to be handed to the network
     */
    long queuedBytes();

    /**
     * Sends every request queued by the client's batch proxies over this connection, and waits
     * until they are written (ZeroC Ice's {@code Connection.flushBatchRequests}).
     *
     * @throws ConnectionException if the connection fails before the batch is written; the
     *     oneway requests of the batch are then lost, and its two-way requests fail
     */
    void flushBatches();

    /**
     * Sends every request queued by the client's batch proxies over this connection, without
     * waiting.
     *
     * @return completes when the batch is written, or exceptionally with a
     *     {@link ConnectionException} if it could not be
     */
    CompletableFuture<Void> flushBatchesAsync();
}
