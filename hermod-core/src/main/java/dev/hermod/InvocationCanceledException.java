package dev.hermod;

/**
 * Thrown when an invocation is canceled before it completes: the thread waiting for a
 * synchronous call was interrupted, or the call was canceled through its result handle.
 *
 * <p>The server may or may not have run the operation; {@link #isUnprocessed()} tells when it
 * certainly did not. A reply that arrives after cancellation is dropped.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class InvocationCanceledException extends RpcException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception (Hermod does; applications receive them) with status {@link Status#CANCELED}.
     *
     * @param message the detail message
     * @param cause the cause, or null
     * @param unprocessed whether the request certainly never reached a servant
     */
    InvocationCanceledException(String message, Throwable cause, boolean unprocessed) {
        super(Status.CANCELED, message, cause, unprocessed);
    }
}
