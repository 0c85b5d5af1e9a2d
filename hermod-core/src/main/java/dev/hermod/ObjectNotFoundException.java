package dev.hermod;

/**
 * Thrown when a call is made on an object reference that is no longer served: the proxy was
 * released ({@link Hermod#release(Object)}), the exporter revoked the object
 * ({@link Hermod#revoke(Object)}), or the peer never exported it on this connection.
 *
 * <p>The request was not dispatched, so it is always unprocessed; the connection stays open.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class ObjectNotFoundException extends RpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with status {@link Status#OBJECT_NOT_FOUND}.
     *
     * @param message the detail message
     * @param cause the cause, or null
     */
    public ObjectNotFoundException(String message, Throwable cause) {
        super(Status.OBJECT_NOT_FOUND, message, cause, true);
    }
}
