package dev.hermod;

/**
 * Thrown when arguments or a result cannot be encoded or decoded as the operation's declared types.
 *
 * <p>When the server could not decode the arguments, the servant never ran ({@link #isUnprocessed()} is true); the connection stays open.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class MarshalException extends RpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception (Hermod does; applications receive them) with status {@link Status#MARSHAL}.
     *
     * @param message the detail message
     * @param cause the cause, or null
     * @param unprocessed whether the request certainly never reached a servant
     */
    MarshalException(String message, Throwable cause, boolean unprocessed) {
        super(Status.MARSHAL, message, cause, unprocessed);
    }
}
