package dev.hermod.internal.runtime;

import dev.hermod.intercept.Vitals;
import dev.hermod.internal.invocation.RpcConnection;
import dev.hermod.internal.transport.Traffic;
import java.util.Collection;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The {@link Vitals} of a client or a server, read from its runtime when asked. */
final class SideVitals implements Vitals {
    final Traffic traffic = new Traffic();
    private final String side;
    private final Supplier<Collection<RpcConnection>> connections;
    private final IntSupplier waiting;
    private final LongSupplier retries;
    private final LongSupplier replays;
    private final LongSupplier evictions;

    SideVitals(String side, Supplier<Collection<RpcConnection>> connections, IntSupplier waiting,
            LongSupplier retries, LongSupplier replays, LongSupplier evictions) {
        this.side = side;
        this.connections = connections;
        this.waiting = waiting;
        this.retries = retries;
        this.replays = replays;
        this.evictions = evictions;
    }

    @Override
    public long deduplicatedReplays() {
        return replays.getAsLong();
    }

    @Override
    public long deduplicationEvictions() {
        return evictions.getAsLong();
    }

    @Override
    public String side() {
        return side;
    }

    @Override
    public long bytesSent() {
        return traffic.sent();
    }

    @Override
    public long bytesReceived() {
        return traffic.received();
    }

    @Override
    public int openConnections() {
        int open = 0;
        for (RpcConnection c : connections.get()) {
            if (c.state() != dev.hermod.connection.Connection.State.CLOSED) {
                open++;
            }
        }
        return open;
    }

    @Override
    public long backlogBytes() {
        long bytes = 0;
        for (RpcConnection c : connections.get()) {
            bytes += c.backlogBytes();
        }
        return bytes;
    }

    @Override
    public int callsWaitingForConnection() {
        return waiting.getAsInt();
    }

    @Override
    public long retries() {
        return retries.getAsLong();
    }

    @Override
    public String toString() {
        return "Vitals[" + side + "]";
    }
}
