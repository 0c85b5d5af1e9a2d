package dev.hermod;

import dev.hermod.internal.bridge.Engine;
import dev.hermod.security.Authenticator;
import dev.hermod.tools.ServantOf;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The server-side context of the invocation being dispatched: which service and operation, who
 * called, the request context, and the time left.
 *
 * <p>Servant code reads it with {@link #get()} on the thread that runs the operation:
 *
 * <pre>{@code
 * public String getName(int number) {
 *     Current current = Current.get();
 *     log.info("{} called by {}", current.operation(), current.peer());
 *     ...
 * }
 * }</pre>
 *
 * <p>An instance belongs to one invocation; it may be kept and read from other threads after the
 * operation returns. That is how a servant that answers later (it returns a
 * {@link java.util.concurrent.CompletionStage}, see {@link ServantOf}) reports progress, reads the
 * time left and learns of a cancel from the thread that completes the stage, where {@link #get()}
 * has no invocation to return. Instances are thread-safe.
 *
 * @since 0.1
 */
public interface Current {

    /**
     * Returns the context of the invocation the calling thread is dispatching.
     *
     * @return the current invocation
     * @throws IllegalStateException if the calling thread is not running a remote operation
     */
    static Current get() {
        Current current = Engine.get().current();
        if (current == null) {
            throw new IllegalStateException("no remote invocation is being dispatched on this thread");
        }
        return current;
    }

    /**
     * Returns the name of the invoked service, as bound on the server.
     *
     * @return the service name
     */
    String service();

    /**
     * Returns the name of the invoked operation.
     *
     * @return the operation name
     */
    String operation();

    /**
     * Returns the address of the peer that sent the request.
     *
     * @return the remote address of the connection
     */
    SocketAddress peer();

    /**
     * Returns who the caller is, as the server's {@link Authenticator} decided when the caller's
     * connection opened.
     *
     * @return the principal, or empty if the server authenticates no one (or the caller of a
     *     call on an object reference is the server itself)
     * @since 0.2
     */
    Optional<java.security.Principal> principal();

    /**
     * Returns the request context the caller attached ({@link CallOptions#context()}).
     *
     * @return an unmodifiable map, possibly empty
     */
    Map<String, String> context();

    /**
     * Returns the time left before the caller's deadline.
     *
     * @return the remaining time (zero or negative once the deadline has passed), or empty if the
     *     caller set no deadline
     */
    Optional<Duration> timeRemaining();

    /**
     * Tells whether the caller canceled the invocation. A servant doing long work should check
     * it between steps and give up; a blocked servant thread is also interrupted when the cancel
     * arrives. The caller has already been answered, so the servant's result is dropped.
     *
     * @return true once the caller has canceled
     */
    boolean isCanceled();

    /**
     * Reports progress to the caller, who sees it on {@link AsyncResult#progress()} and through
     * its progress callbacks. Cheap enough to call often: reports are coalesced if the caller's
     * connection is busy. Ignored after the invocation has completed.
     *
     * @param fraction the part done, from 0 to 1, or {@link Double#NaN} when unknown
     * @param message what the operation is doing; may be empty
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1] and not NaN
     */
    void progress(double fraction, String message);
}
