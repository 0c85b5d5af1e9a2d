package dev.hermod.internal.runtime;

import dev.hermod.CallOptions;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.invocation.AsyncResultImpl;
import dev.hermod.internal.invocation.BatchQueue;
import dev.hermod.internal.invocation.Call;
import dev.hermod.internal.invocation.Invoker;
import dev.hermod.internal.invocation.Peer;
import dev.hermod.internal.invocation.Retries;
import dev.hermod.internal.invocation.RpcConnection;
import dev.hermod.internal.transport.Replicas;
import java.util.concurrent.CompletableFuture;

/**
 * Where the calls of a sticky proxy ({@code Hermod.sticky}) go: to its client, but all to the one
 * endpoint its {@link Replicas.Affinity} keeps to, batches included. Proxies derived from a sticky
 * proxy share it. Thread-safe.
 */
final class StickyInvoker implements Invoker, BatchQueue.Owner {
    private final ClientImpl client;
    private final Replicas.Affinity<RpcConnection> affinity;

    StickyInvoker(ClientImpl client, Replicas.Affinity<RpcConnection> affinity) {
        this.client = client;
        this.affinity = affinity;
    }

    @Override
    public Peer peer() {
        return client.peer();
    }

    @Override
    public void ensureOpen() {
        client.ensureOpen();
    }

    @Override
    public CompletableFuture<RpcConnection> connectionFor(Call call) {
        return client.connectionFor(call, affinity);
    }

    @Override
    public BatchQueue newBatchQueue() {
        return new BatchQueue(this, io.netty.buffer.ByteBufAllocator.DEFAULT);
    }

    @Override
    public Object enqueue(BatchQueue queue, Operation op, String service, Object[] args, CallOptions options,
            Object proxy) {
        return client.enqueue(queue, op, service, args, options, proxy);
    }

    @Override
    public AsyncResultImpl<Void> flush(BatchQueue queue, Object proxy, String service) {
        return client.flush(queue, proxy, service, affinity);
    }

    @Override
    public void holding(BatchQueue queue) {
        client.holding(queue); // Client.flushBatches() still sends it
    }

    @Override
    public void full(BatchQueue queue) {
        client.autoFlush(queue, affinity);
    }

    @Override
    public int flushSize() {
        return client.flushSize();
    }

    @Override
    public int maxFrameSize() {
        return client.maxFrameSize();
    }

    @Override
    public Retries retries() {
        return client.retries();
    }

    @Override
    public long nanosUntilRetry() {
        return client.nanosUntilRetry();
    }

    @Override
    public long nanosUntilRetry(Call call) {
        return client.nanosUntilRetry(call);
    }

    @Override
    public Invoker sticky() {
        return client.sticky(); // a new pin, like a sticky copy of the plain proxy
    }

    @Override
    public String describeTarget() {
        return client.describeTarget() + " (sticky)";
    }
}
