package dev.hermod.internal.invocation;

import dev.hermod.internal.bridge.Failures;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The public face of one connection. There is one per connection ({@link RpcConnection#handle()}),
 * so the handle a result names is the very one {@code Client.connections()} lists. Thread-safe.
 */
final class ConnectionHandle implements dev.hermod.connection.Connection {
    private final RpcConnection connection;

    ConnectionHandle(RpcConnection connection) {
        this.connection = connection;
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.link().remoteAddress();
    }

    @Override
    public boolean isOpen() {
        return connection.isUsable();
    }

    @Override
    public State state() {
        return connection.state();
    }

    @Override
    public int outstandingCalls() {
        return connection.pendingCalls();
    }

    @Override
    public long queuedBytes() {
        return connection.backlogBytes();
    }

    @Override
    public void flushBatches() {
        BatchQueue.awaitFlush(flushBatchesAsync());
    }

    @Override
    public AsyncResultImpl<Void> flushBatchesAsync() {
        if (!connection.isUsable()) {
            return BatchQueue.flush(connection.peer(), null, "", java.util.List.of(),
                    CompletableFuture.failedFuture(Failures.connection("the connection to " + remoteAddress()
                            + " is closed", null, true)));
        }
        return connection.flushBatches();
    }

    @Override
    public String toString() {
        return "Connection[" + remoteAddress() + "]";
    }
}
