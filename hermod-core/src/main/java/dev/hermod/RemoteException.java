package dev.hermod;

import java.util.Optional;

/**
 * Thrown when a servant fails with an exception that its operation does not declare.
 *
 * <p>The remote exception travels as data, never as a Java object: its class name, message,
 * stack frames and cause chain arrive as a {@link RemoteTraceback}, which is this exception's
 * {@linkplain #getCause() cause}, so that {@code printStackTrace} shows the caller's frames
 * followed by the server's, the way RPyC prints a "Remote Traceback":
 *
 * <pre>
 * dev.hermod.RemoteException: employees.getName failed on the server: java.lang.IllegalStateException: database down
 *     at ... (the caller's frames)
 * Caused by: Remote traceback: java.lang.IllegalStateException: database down
 *     at com.example.EmployeesImpl.getName(EmployeesImpl.java:21)
 *     ...
 * </pre>
 *
 * <p>A server configured with {@code Server.Builder.sendStackTraces(false)} sends the class name
 * and message only; the traceback then has no frames.
 *
 * <p>Instances are immutable once created and safe to share between threads.
 *
 * @since 0.1
 */
public final class RemoteException extends RpcException {
    private static final long serialVersionUID = 1L;

    /** The remote exception as data, or null when the peer sent no description. */
    private final RemoteTraceback traceback;

    /**
     * Creates an exception for a remote failure.
     *
     * @param message the detail message
     * @param traceback the remote exception as data; becomes the cause; may be null when the
     *     peer sent no description
     */
    public RemoteException(String message, RemoteTraceback traceback) {
        super(Status.REMOTE_FAILURE, message, traceback, false);
        this.traceback = traceback;
    }

    /**
     * Returns the remote exception: class name, message, stack frames and cause chain.
     *
     * @return the traceback, empty if the peer sent none
     */
    public Optional<RemoteTraceback> traceback() {
        return Optional.ofNullable(traceback);
    }

    /**
     * Returns the fully qualified class name of the exception the servant threw.
     *
     * @return the class name, or {@code "unknown"} if the peer sent none
     */
    public String remoteClassName() {
        return traceback == null ? "unknown" : traceback.className();
    }
}
