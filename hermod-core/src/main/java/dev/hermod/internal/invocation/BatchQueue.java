package dev.hermod.internal.invocation;

import dev.hermod.ConnectionException;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.MarshalException;
import dev.hermod.RpcException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The requests a batch proxy has queued and not yet flushed. Arguments are encoded when a call is
 * queued, so later changes to them do not matter; request ids and the time left are written when
 * the batch is flushed over a connection. Thread-safe.
 */
public final class BatchQueue {

    /** What the client does with queues: flush them, and know which ones hold requests. */
    public interface Owner {
        /** The queue went from empty to holding requests. */
        void holding(BatchQueue queue);

        /** The queue holds at least the auto-flush size. */
        void full(BatchQueue queue);

        /** The most a queue may hold before it is flushed by itself, in bytes. */
        int flushSize();

        /** The largest frame a connection accepts. */
        int maxFrameSize();
    }

    /** One queued request: the call, and its encoded arguments. */
    public record Item(Call call, ByteBuf arguments) {
        int size() {
            return arguments.readableBytes() + 64;
        }

        /** Fails the call of a batch that was never sent, and frees its bytes. */
        public void fail(Throwable why) {
            if (arguments.refCnt() > 0) {
                arguments.release();
            }
            call.fail(why);
        }
    }

    private final Owner owner;
    private final ByteBufAllocator alloc;
    private List<Item> items = new ArrayList<>();
    private long bytes;

    public BatchQueue(Owner owner, ByteBufAllocator alloc) {
        this.owner = owner;
        this.alloc = alloc;
    }

    /**
     * Queues a call of a batch proxy; returns what the proxy method returns: null for a
     * synchronous oneway call, the result for an asynchronous one.
     */
    public Object enqueue(Call call, Peer peer, Object proxy) {
        AsyncResultImpl<Object> result = call.operation().isAsync()
                ? AsyncResultImpl.of(call, peer.client(), proxy, peer.callbacks(), peer.sentLane())
                : null;
        try {
            add(call);
        } catch (MarshalException e) {
            if (result == null) {
                throw e;
            }
            call.fail(e);
            return result;
        }
        if (!call.isOneway()) {
            call.schedule(peer.timer());
        }
        return result;
    }

    /**
     * Sends the requests of a batch over a connection; if that fails, the two-way calls among
     * them fail with why.
     */
    public static CompletableFuture<Void> send(CompletableFuture<RpcConnection> connection, List<Item> items) {
        if (items.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return connection.thenCompose(conn -> conn.sendBatch(items)).whenComplete((v, e) -> {
            if (e != null) {
                Throwable why = Exceptions.unwrap(e);
                for (Item item : items) {
                    item.fail(why); // the two-way calls of a batch that never left
                }
            }
        });
    }

    /** Waits for a batch flush, bounded by {@code timeout}, rethrowing its failure. */
    public static void awaitFlush(CompletableFuture<Void> flush, Duration timeout, Object target) {
        try {
            flush.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = Exceptions.unwrap(e.getCause());
            if (cause instanceof RpcException r) {
                throw Exceptions.forCaller(r);
            }
            throw new ConnectionException("the batch flush to " + target + " failed: " + cause, cause, false);
        } catch (TimeoutException e) {
            throw new InvocationTimeoutException("the batch flush to " + target + " was not written within "
                    + timeout.toMillis() + " ms", null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvocationCanceledException("interrupted while flushing a batch", e, false);
        }
    }

    /**
     * Queues a call, encoding its arguments now.
     *
     * @throws MarshalException if the arguments cannot be encoded or would not fit in a frame
     */
    void add(Call call) {
        ByteBuf arguments = alloc.buffer(RpcConnection.sizeHint(call.args));
        try {
            call.operation.argumentCoder().encode(call.args, new ByteBufOutputStream(arguments));
        } catch (Exception | StackOverflowError e) {
            arguments.release();
            throw new MarshalException("cannot encode the arguments of " + call.describe() + ": "
                    + e.getMessage(), e, true);
        }
        Item item = new Item(call, arguments);
        if (item.size() > owner.maxFrameSize()) {
            arguments.release();
            throw new MarshalException("the request for " + call.describe() + " is " + item.size()
                    + " bytes, above the maximum frame size of " + owner.maxFrameSize(), null, true);
        }
        boolean first;
        boolean full;
        synchronized (this) {
            first = items.isEmpty();
            items.add(item);
            bytes += item.size();
            full = bytes >= owner.flushSize();
        }
        if (call.oneway) {
            call.complete(null); // Ice: a queued batch oneway call is complete once queued
        }
        if (first) {
            owner.holding(this);
        }
        if (full) {
            owner.full(this);
        }
    }

    /** Takes every queued request, leaving the queue empty. */
    public synchronized List<Item> drain() {
        List<Item> taken = items;
        items = new ArrayList<>();
        bytes = 0;
        return taken;
    }

    /** Number of queued requests. */
    public synchronized int size() {
        return items.size();
    }

    /** Fails and discards every queued request. */
    public void discard(Throwable why) {
        for (Item item : drain()) {
            item.arguments().release();
            item.call().fail(why);
        }
    }
}
