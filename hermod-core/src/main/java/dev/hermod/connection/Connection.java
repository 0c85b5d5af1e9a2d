package dev.hermod.connection;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import java.net.SocketAddress;

/**
 * One open connection of a {@link Client} to its server, as {@link Client#connections()} lists
 * them and {@link AsyncResult#connection()} names them: the same handle for the same connection.
 *
 * <p>A handle only: it does not keep the connection open, and its methods fail once the
 * connection has closed. Thread-safe.
 *
 * @since 0.1
 */
public interface Connection {

    /**
     * Where a connection is in its life. It only moves forward: {@code OPEN}, then
     * {@code DRAINING} (possibly skipped), then {@code CLOSED}.
     *
     * @since 0.2
     */
    enum State {
        /** Open, and taking new calls. */
        OPEN,
        /**
         * Taking no new calls, and closing once the calls already on it are answered: the server
         * sent GOAWAY (it is shutting down or restarting), or the client is shutting down. New
         * calls go over another connection.
         */
        DRAINING,
        /** Closed; calls still on it have failed. */
        CLOSED
    }

    /**
     * Returns where the connection is in its life. Changes are also reported to the client's
     * {@link ConnectionListener}.
     *
     * @return the state now
     * @since 0.2
     */
    State state();

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
     * Sends over this connection every request queued by the client's batch proxies and by the
     * batch proxies of object references received over it, and waits until they are written
     * (ZeroC Ice's {@code Connection.flushBatchRequests}). On a server's connection, the handle
     * an {@link AsyncResult} of a call through a client's reference names, it sends what the
     * batch proxies of the references that client passed hold.
     *
     * @throws ConnectionException if the connection is closed, or fails before the batch is
     *     written; the oneway requests of the batch are then lost, and its two-way requests fail
     */
    void flushBatches();

    /**
     * Sends the requests {@link #flushBatches()} sends, without waiting. The flush has a result
     * handle like {@link Hermod#flushAsync}'s: sent once the batch is handed to the transport,
     * complete once it is written, and {@link AsyncResult#connection()} is this connection.
     *
     * @return the flush's result: it completes with null when the batch is written, or
     *     exceptionally with a {@link ConnectionException} if it could not be
     */
    AsyncResult<Void> flushBatchesAsync();
}
