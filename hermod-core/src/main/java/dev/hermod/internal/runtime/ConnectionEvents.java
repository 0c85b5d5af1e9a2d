package dev.hermod.internal.runtime;

import dev.hermod.connection.Connection;
import dev.hermod.connection.ConnectionListener;
import dev.hermod.internal.dispatch.SerialExecutor;
import dev.hermod.internal.invocation.RpcConnection;
import dev.hermod.internal.transport.ConnectionPool;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a client's connection events to the application's {@link ConnectionListener}: on the
 * callback executor, one at a time, in the order they happened, each state reported once per
 * connection. Thread-safe.
 */
final class ConnectionEvents {
    private static final Logger log = LoggerFactory.getLogger(ConnectionEvents.class);

    private final String target;
    private final ConnectionListener listener;
    private final Executor lane;
    /** The last state reported per connection, so that each is reported once and in order. */
    private final Map<RpcConnection, Connection.State> reported = new ConcurrentHashMap<>();

    ConnectionEvents(String target, ConnectionListener listener, Executor callbacks) {
        this.target = target;
        this.listener = listener;
        this.lane = SerialExecutor.orRunHere(callbacks);
    }

    /** Reports the connection attempts to one endpoint, named {@code endpoint}. */
    ConnectionPool.Watcher forEndpoint(URI endpoint) {
        return new ConnectionPool.Watcher() {
            @Override
            public void connecting(int attempt) {
                run(() -> listener.connecting(endpoint, attempt));
            }

            @Override
            public void connectFailed(int attempt, Throwable cause, long retryInNanos) {
                run(() -> listener.connectFailed(endpoint, attempt, cause, Duration.ofNanos(retryInNanos)));
            }
        };
    }

    /**
     * Reports that {@code connection} moved to {@code state}, unless it was reported there (or
     * further) already. Only connections reported {@code OPEN} first are reported at all: one
     * whose handshake failed never opened.
     */
    synchronized void stateChanged(RpcConnection connection, Connection.State state) {
        Connection.State last = reported.get(connection);
        if (state == Connection.State.OPEN ? last != null || connection.state() == Connection.State.CLOSED
                : last == null || last.compareTo(state) >= 0) {
            return;
        }
        if (state == Connection.State.CLOSED) {
            reported.remove(connection);
        } else {
            reported.put(connection, state);
        }
        Connection handle = connection.handle();
        run(() -> listener.stateChanged(handle, state));
    }

    /** Reports the objects the peer held references to when {@code connection} closed, if any. */
    void referencesLost(RpcConnection connection, java.util.List<Object> lost) {
        if (!lost.isEmpty()) {
            Connection handle = connection.handle();
            run(() -> listener.referencesLost(handle, lost));
        }
    }

    private void run(Runnable event) {
        try {
            lane.execute(() -> {
                try {
                    event.run();
                } catch (RuntimeException e) {
                    log.warn("the connection listener of the client for {} threw", target, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the client is closing: nobody is left to tell
        }
    }
}
