package dev.hermod;

/**
 * Thrown when the server has no service bound under the requested name.
 *
 * <p>The request was not dispatched, so it is always unprocessed; the connection stays open.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class ServiceNotFoundException extends RpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception (Hermod does; applications receive them) with status {@link Status#SERVICE_NOT_FOUND}.
     *
     * @param message the detail message
     * @param cause the cause, or null
     * @param unprocessed whether the request certainly never reached a servant
     */
    ServiceNotFoundException(String message, Throwable cause, boolean unprocessed) {
        super(Status.SERVICE_NOT_FOUND, message, cause, unprocessed);
    }
}
