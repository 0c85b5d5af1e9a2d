package dev.hermod;

import dev.hermod.internal.bridge.Failures;

/**
 * The root of every failure that Hermod itself reports: the unchecked exception a remote call
 * throws when it cannot deliver the operation's own result or declared exception.
 *
 * <p>Exceptions that an operation declares ({@code throws NoSuchEmployee}) are not wrapped: the
 * caller receives the declared type itself. Everything else is an {@code RpcException} whose
 * {@link #status()} says what happened; the subclasses exist for what callers usually handle
 * differently:
 *
 * <ul>
 *   <li>{@link ConnectionException}: no connection, or it was lost ({@link Status#UNAVAILABLE});
 *   <li>{@link InvocationTimeoutException}: the deadline passed ({@link Status#TIMEOUT});
 *   <li>{@link ServiceNotFoundException}, {@link OperationNotFoundException}: the target does not
 *       exist on the server;
 *   <li>{@link MarshalException}: arguments or result could not be encoded or decoded;
 *   <li>{@link RemoteException}: the servant threw an exception its operation does not declare;
 *       it carries the remote class name, message, cause chain and stack frames;
 *   <li>{@link ProtocolException}: a peer broke the wire protocol;
 *   <li>{@link QuorumException}: {@link AsyncResult#quorum} can no longer be reached (made on
 *       this side, never carried on the wire).
 * </ul>
 *
 * <p>{@link #isUnprocessed()} is true when the request certainly never reached a servant, so
 * that retrying it cannot run the operation twice.
 *
 * <p>A synchronous call rethrows a fresh exception of the same class with the original as its
 * cause, so that the stack trace shows the caller's own frames.
 *
 * <p>Hermod creates these exceptions; applications catch them, and cannot make them claim that a
 * request was unprocessed.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static {
        // Hermod's own code makes these exceptions with flags no application sets: it finds the
        // constructors through this factory (the JDK's SharedSecrets pattern).
        Failures.register(new FailureFactory());
    }

    /** Why the call failed. */
    private final Status status;
    /** Whether the request certainly never reached a servant. */
    private final boolean unprocessed;

    /**
     * Creates an exception; Hermod does, applications receive them.
     *
     * @param status the status; not null
     * @param message the detail message
     * @param cause the cause, or null
     * @param unprocessed whether the request certainly never reached a servant
     */
    RpcException(Status status, String message, Throwable cause, boolean unprocessed) {
        super(message, cause);
        if (status == null) {
            throw new NullPointerException("status");
        }
        this.status = status;
        this.unprocessed = unprocessed;
    }

    /**
     * Returns the status of the failure.
     *
     * @return the status, never null
     */
    public final Status status() {
        return status;
    }

    /**
     * Tells whether the request certainly never reached a servant: it was not written, or the
     * server refused it before dispatch. Such a call is safe to retry.
     *
     * @return true if the operation certainly did not run
     */
    public final boolean isUnprocessed() {
        return unprocessed;
    }
}
