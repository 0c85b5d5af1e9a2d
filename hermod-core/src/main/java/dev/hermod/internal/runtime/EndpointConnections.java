package dev.hermod.internal.runtime;

import dev.hermod.RpcException;
import dev.hermod.internal.bridge.ClientConfig;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.bridge.Healing;
import dev.hermod.internal.invocation.AsyncResultImpl;
import dev.hermod.internal.invocation.Call;
import dev.hermod.internal.invocation.RpcConnection;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.transport.Backoff;
import dev.hermod.internal.transport.ConnectionPool;
import dev.hermod.internal.transport.Replica;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A client's connections to one of its endpoints: their pool, which opens them through the
 * client, and what their lives tell the endpoint (a server going away, a reply's latency) and
 * the application's listener. Thread-safe.
 */
final class EndpointConnections implements RpcConnection.Owner, ConnectionPool.Watcher {
    private final ClientImpl client;
    private final Replica<RpcConnection> replica;
    /** The endpoint as a target, for messages and the connection listener: {@code tcp://host:port}. */
    private final String label;
    private final ConnectionPool.Watcher events;
    final ConnectionPool<RpcConnection> pool;

    EndpointConnections(ClientImpl client, Replica<RpcConnection> replica) {
        this.client = client;
        this.replica = replica;
        ClientConfig config = client.config();
        String scheme = config.inProcess() ? "inproc" : config.tls() != null ? "tls" : "tcp";
        this.label = config.inProcess() ? config.target() : scheme + "://" + replica.endpoint().address();
        this.events = client.events() == null ? null : client.events().forEndpoint(java.net.URI.create(label));
        Healing healing = config.healing();
        ConnectionPool<RpcConnection>[] made = new ConnectionPool[1];
        this.pool = new ConnectionPool<>(label, new ConnectionPool.Limits(config.connections(),
                config.maxConnections(), config.maxOutstandingPerConnection(), config.busyAt(),
                config.quietPeriod().toNanos()),
                () -> client.connect(replica.endpoint(), label, this),
                () -> client.replicas().terminated(made[0]),
                new Backoff(healing.backoffInitial(), healing.backoffMax()), this, healing.restartWait());
        made[0] = pool;
    }

    /**
     * The connection for a {@code @Deduplicated} call that may have run on this endpoint: here
     * and nowhere else, since only this server remembers the call and would not run it again.
     * Fails if this endpoint cannot take it, saying that the call's outcome is unknown; the
     * failure is unprocessed for this attempt, so that the call may wait for the endpoint to
     * come back ({@link ConnectionPool#nanosUntilRetry()}).
     */
    CompletableFuture<RpcConnection> again(Call call) {
        CompletableFuture<RpcConnection> c = pool.acquire();
        if (c.isDone() && !c.isCompletedExceptionally()) {
            return c;
        }
        return c.handle((conn, failure) -> {
            if (failure == null) {
                return conn;
            }
            Throwable why = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            throw new CompletionException(Failures.connection(call.operation().describeOn(call.service())
                    + " may have run on " + label + ", the only server that would not run it again (@Deduplicated),"
                    + " and that server cannot take it now: its outcome is unknown; " + why.getMessage(), why, true));
        });
    }

    @Override
    public void connecting(int attempt) {
        if (events != null) {
            events.connecting(attempt);
        }
    }

    @Override
    public void connectFailed(int attempt, Throwable cause, long retryInNanos) {
        if (events != null) {
            events.connectFailed(attempt, cause, retryInNanos);
        }
        client.replicas().refresh(); // the endpoint may have moved
    }

    @Override
    public void onCallDone(RpcConnection connection) {
        pool.onCallDone(connection);
    }

    @Override
    public void onReplied(RpcConnection connection, long nanos) {
        replica.replied(nanos);
    }

    @Override
    public void onGoAway(RpcConnection connection, Frames.GoAway goAway) {
        replica.goingAway(connection); // new calls go to other endpoints at once
    }

    @Override
    public void onDraining(RpcConnection connection) {
        if (client.events() != null) {
            client.events().stateChanged(connection, dev.hermod.connection.Connection.State.DRAINING);
        }
    }

    @Override
    public void onClosed(RpcConnection connection, RpcException cause) {
        replica.closed(connection);
        pool.onClosed(connection);
        client.replicas().refresh(); // the endpoint may have moved or gone
        if (client.events() != null) {
            client.events().stateChanged(connection, dev.hermod.connection.Connection.State.CLOSED);
            client.events().referencesLost(connection, connection.lostExports());
        }
    }

    @Override
    public AsyncResultImpl<Void> flushBatches(RpcConnection connection) {
        return client.flushBatches(connection);
    }
}
