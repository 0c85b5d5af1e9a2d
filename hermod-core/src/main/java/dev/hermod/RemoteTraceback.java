package dev.hermod;

import java.util.List;
import java.util.Optional;

/**
 * An exception that happened in another process, described as data: its class name, message,
 * stack frames ({@link #getStackTrace()}) and remote cause ({@link #getCause()}, another
 * {@code RemoteTraceback}).
 *
 * <p>It is a {@link Throwable} only so that it prints as part of a stack trace: Hermod never
 * throws it, and never instantiates the remote class it names. It appears as the cause of a
 * {@link RemoteException}.
 *
 * <p>Made by Hermod from what the peer sent; applications read it and cannot make one.
 *
 * <p>Instances are immutable after construction.
 *
 * @since 0.1
 */
public final class RemoteTraceback extends Throwable {
    private static final long serialVersionUID = 1L;

    /** The remote exception's fully qualified class name. */
    private final String className;
    /** The remote exception's own message, or null. */
    private final String remoteMessage;

    /**
     * Creates a traceback; only Hermod does, from what a peer sent.
     *
     * @param className the remote exception's fully qualified class name; not null
     * @param message the remote exception's message, or null
     * @param frames the remote stack frames, outermost last; may be empty
     * @param cause the remote cause, or null
     */
    RemoteTraceback(
            String className, String message, List<StackTraceElement> frames, RemoteTraceback cause) {
        super(message, cause, false, true);
        if (className == null) {
            throw new NullPointerException("className");
        }
        this.className = className;
        this.remoteMessage = message;
        setStackTrace(frames.toArray(new StackTraceElement[0]));
    }

    /**
     * Returns the remote exception's fully qualified class name.
     *
     * @return the class name
     */
    public String className() {
        return className;
    }

    /**
     * Returns the remote exception's message.
     *
     * @return the message, empty if it had none
     */
    public Optional<String> message() {
        return Optional.ofNullable(remoteMessage);
    }

    /**
     * Returns the remote frames as a list.
     *
     * @return the frames, innermost first; empty when the server does not send stack traces
     */
    public List<StackTraceElement> frames() {
        return List.of(getStackTrace());
    }

    /**
     * Returns the remote cause.
     *
     * @return the cause, empty if the remote exception had none
     */
    public Optional<RemoteTraceback> remoteCause() {
        return Optional.ofNullable((RemoteTraceback) getCause());
    }

    /** Keeps the remote frames: this object's own construction site is of no interest. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    @Override
    public String toString() {
        return "Remote traceback: " + className + (remoteMessage == null ? "" : ": " + remoteMessage);
    }
}
