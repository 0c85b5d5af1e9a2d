package dev.hermod;

/**
 * Thrown when the service's contract on the server declares no operation of the requested name, typically because client and server were built from different versions of the interface.
 *
 * <p>The request was not dispatched, so it is always unprocessed; the connection stays open.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class OperationNotFoundException extends RpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception (Hermod does; applications receive them) with status {@link Status#OPERATION_NOT_FOUND}.
     *
     * @param message the detail message
     * @param cause the cause, or null
     * @param unprocessed whether the request certainly never reached a servant
     */
    OperationNotFoundException(String message, Throwable cause, boolean unprocessed) {
        super(Status.OPERATION_NOT_FOUND, message, cause, unprocessed);
    }
}
