package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.RpcException;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.reference.ObjectTable;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;

/**
 * A reference to an object the peer exported on one connection: the invoker behind its proxies,
 * whose calls all go over that connection (so a server reaches a client's object through the
 * connection the client opened). Every proxy for the reference, copies with other options or
 * modes included, holds this object; when none is left, the table releases the reference.
 */
final class Reference implements Invoker, BatchQueue.Owner, ObjectTable.Imported {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Reference.class);
    private final RpcConnection connection;
    private final ObjectTable table;
    private final ObjectTable.Import state;
    private final Class<?> type;
    private final Object proxy;

    /** @throws IllegalArgumentException if {@code type} is not a valid contract */
    Reference(RpcConnection connection, ObjectTable.Import state, Class<?> type) {
        this.connection = connection;
        this.table = state.table();
        this.state = state;
        this.type = type;
        this.proxy = ProxyHandler.create(this, type, target(), CallOptions.defaults());
    }

    /** The service name its calls carry: {@code @n}. */
    String target() {
        return "@" + state.id();
    }

    /** The reference behind {@code value} if it is a proxy for one, else null. */
    static ObjectTable.Import importOf(Object value) {
        if (Proxy.isProxyClass(value.getClass()) && Proxy.getInvocationHandler(value) instanceof ProxyHandler h
                && h.invoker() instanceof Reference r) {
            return r.state;
        }
        return null;
    }

    @Override
    public Class<?> type() {
        return type;
    }

    /** The proxy the table hands out for this reference. */
    @Override
    public Object proxy() {
        return proxy;
    }

    /** Releases the reference now: its proxies fail from now on and the exporter is told. */
    void release() {
        table.release(state);
    }

    @Override
    public Peer peer() {
        return connection.peer();
    }

    /** Always open: a reference that can no longer be used fails its calls instead ({@link #connectionFor}). */
    @Override
    public void ensureOpen() {}

    /** The connection the reference was received on, or why it cannot be used any more. */
    @Override
    public CompletableFuture<RpcConnection> connectionFor(Call call) {
        RpcException unusable = table.unusable(state, type);
        return unusable != null ? CompletableFuture.failedFuture(unusable) : CompletableFuture.completedFuture(connection);
    }

    @Override
    public BatchQueue newBatchQueue() {
        return new BatchQueue(this, connection.link().alloc());
    }

    @Override
    public Object enqueue(BatchQueue queue, Operation op, String service, Object[] args, CallOptions options,
            Object proxy) {
        RpcException unusable = table.unusable(state, type);
        if (unusable != null) {
            throw Exceptions.forCaller(unusable);
        }
        Call call = Call.create(op, service, args, options, options.timeout().orElse(peer().callTimeout()),
                op.isOnewayCapable());
        return queue.enqueue(call, peer(), proxy);
    }

    @Override
    public AsyncResultImpl<Void> flush(BatchQueue queue, Object proxy, String service) {
        connection.flushed(queue);
        return BatchQueue.flush(peer(), proxy, service, queue.drain(), CompletableFuture.completedFuture(connection));
    }

    @Override
    public void holding(BatchQueue queue) {
        connection.holding(queue); // flushed through its proxy, or with its connection's batches
    }

    @Override
    public void full(BatchQueue queue) {
        flush(queue, null, "").whenComplete((v, e) -> {
            if (e != null) {
                log.warn("an automatic batch flush to {} failed: {}",
                        describeTarget(), Exceptions.unwrap(e).getMessage());
            }
        });
    }

    @Override
    public int flushSize() {
        return peer().batchFlushSize();
    }

    @Override
    public int maxFrameSize() {
        return connection.link().sendLimit();
    }

    @Override
    public String describeTarget() {
        return "object @" + state.id() + " of " + connection.link().remoteAddress();
    }
}
