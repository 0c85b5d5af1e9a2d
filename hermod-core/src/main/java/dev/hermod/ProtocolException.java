package dev.hermod;

/**
 * Thrown when a peer violates the wire protocol: a wrong magic or protocol version in the handshake, a malformed or oversized frame.
 *
 * <p>The connection it happened on is closed, and every call on it fails with this exception.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class ProtocolException extends RpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception (Hermod does; applications receive them) with status {@link Status#PROTOCOL_ERROR}.
     *
     * @param message the detail message
     * @param cause the cause, or null
     * @param unprocessed whether the request certainly never reached a servant
     */
    ProtocolException(String message, Throwable cause, boolean unprocessed) {
        super(Status.PROTOCOL_ERROR, message, cause, unprocessed);
    }
}
