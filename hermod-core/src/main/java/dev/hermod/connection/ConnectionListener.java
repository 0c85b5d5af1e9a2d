package dev.hermod.connection;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Status;
import java.net.URI;
import java.time.Duration;

/**
 * Learns how a {@link Client}'s connections come and go: each connection attempt, each failed
 * one with the backoff before the next, and each state change of an open connection (see
 * {@link Connection.State}). Set with {@link Client.Builder#connectionListener}. Every method
 * has an empty default: implement those you need.
 *
 * <p>The methods run on the client's callback executor, one at a time, in the order the events
 * happened; never on an I/O thread. A method that throws is logged and changes nothing.
 *
 * @since 0.2
 */
public interface ConnectionListener {

    /**
     * A connection attempt is starting.
     *
     * @param target the endpoint the client connects to: the client's target, or, for a target
     *     that stands for several servers (a list, {@code dns://}, {@code zk://}), the one endpoint
     *     of it this attempt is for ({@code tcp://host:port})
     * @param attempt 1 for the first attempt after a success (or ever), 2 for the one after it
     *     failed, and so on
     */
    default void connecting(URI target, int attempt) {}

    /**
     * A connection attempt failed. Until {@code retryIn} has passed, calls that find no open
     * connection fail at once with an unprocessed {@link ConnectionException}
     * ({@link Status#UNAVAILABLE}), or, if the target stands for several servers, go to another
     * one; the first call after it tries again.
     *
     * @param target the endpoint the attempt was for, as in {@link #connecting}
     * @param attempt the attempt that failed, as in {@link #connecting}
     * @param cause why it failed
     * @param retryIn the backoff before the next attempt (exponential, with jitter)
     */
    default void connectFailed(URI target, int attempt, Throwable cause, Duration retryIn) {}

    /**
     * A connection changed state: {@link Connection.State#OPEN} once it is ready for calls, then
     * {@code DRAINING} and {@code CLOSED}.
     *
     * @param connection the connection, the same handle {@link Client#connections()} lists
     * @param state its new state
     */
    default void stateChanged(Connection connection, Connection.State state) {}

    /**
     * A connection closed while the server held references to objects of this client: those
     * it received as arguments (a listener given to a {@code subscribe} operation, a callback).
     * The server can no longer call them: each of its references fails every call from now on
     * with an unprocessed {@link ConnectionException} that says the reference was lost, so that
     * it can drop the subscription. Nothing is silently lost: pass the objects again (subscribe
     * again) to have the server call them; the next call opens a new connection, to the same
     * server restarted or another. Reported after {@link #stateChanged} to {@code CLOSED}.
     *
     * @param connection the connection that closed
     * @param objects the objects the server held references to, each once, as this client passed them
     */
    default void referencesLost(Connection connection, java.util.List<Object> objects) {}
}
