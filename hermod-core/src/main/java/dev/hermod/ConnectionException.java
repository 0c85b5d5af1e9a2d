package dev.hermod;

/**
 * Thrown when no connection to the peer can be made, when the connection is lost while a call is outstanding, or when the peer is shutting down.
 *
 * <p>The call may or may not have run on the server; {@link #isUnprocessed()} tells when it certainly did not.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class ConnectionException extends RpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception (Hermod does; applications receive them) with status {@link Status#UNAVAILABLE}.
     *
     * @param message the detail message
     * @param cause the cause, or null
     * @param unprocessed whether the request certainly never reached a servant
     */
    ConnectionException(String message, Throwable cause, boolean unprocessed) {
        super(Status.UNAVAILABLE, message, cause, unprocessed);
    }
}
