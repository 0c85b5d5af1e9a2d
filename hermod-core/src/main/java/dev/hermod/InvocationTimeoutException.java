package dev.hermod;

/**
 * Thrown when an invocation's deadline passes before its reply arrives.
 *
 * <p>The server may still run the operation; the late reply is dropped.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class InvocationTimeoutException extends RpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception (Hermod does; applications receive them) with status {@link Status#TIMEOUT}.
     *
     * @param message the detail message
     * @param cause the cause, or null
     * @param unprocessed whether the request certainly never reached a servant
     */
    InvocationTimeoutException(String message, Throwable cause, boolean unprocessed) {
        super(Status.TIMEOUT, message, cause, unprocessed);
    }
}
