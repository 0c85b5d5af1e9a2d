package dev.hermod.internal.invocation;

import dev.hermod.MarshalException;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.codec.FrameOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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

        /**
         * The batch never reached a connection: fails a two-way call, unprocessed, marks a oneway
         * one (complete already) as never sent, and frees the bytes.
         */
        public void fail(Throwable why) {
            if (arguments.refCnt() > 0) {
                arguments.release();
            }
            call.failUnsent(why);
            call.neverSent();
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
     * synchronous oneway call, the result for an asynchronous one. A oneway call's result is
     * complete when this returns, as in Ice.
     */
    public Object enqueue(Call call, Peer peer, Object proxy) {
        AsyncResultImpl<Object> result = call.operation().isAsync()
                ? AsyncResultImpl.of(call, peer, proxy)
                : null;
        if (call.intercept(peer, owner instanceof Reference, dev.hermod.intercept.ClientCall.Kind.BATCHED)) {
            if (result != null) {
                result.settleIfDecided();
            }
            return result; // decided by an interceptor: not queued
        }
        try {
            add(call);
        } catch (MarshalException e) {
            if (result == null) {
                throw e;
            }
            call.fail(e);
            result.settleIfDecided();
            return result;
        }
        if (!call.isOneway()) {
            call.schedule(peer);
        } else if (result != null) {
            result.settleIfDecided(); // complete once queued: here, not a moment later on the executor
        }
        return result;
    }

    /**
     * Sends batched requests over a connection and returns the flush's result: sent once every
     * frame is handed to the transport, complete once every frame is written. Requests that
     * never leave (the connection cannot be had, or fails first) are lost: the two-way ones fail,
     * unprocessed.
     *
     * @param proxy the batch proxy flushed, or null for a client's or a connection's batches
     * @param service the service of that proxy, or empty
     * @param connection where to send them; a failed one fails the flush even with nothing to send
     */
    public static AsyncResultImpl<Void> flush(Peer peer, Object proxy, String service, List<Item> items,
            CompletableFuture<RpcConnection> connection) {
        Call call = Call.flush(service, peer.callTimeout());
        AsyncResultImpl<Void> result = AsyncResultImpl.of(call, peer, proxy);
        call.starting(true);
        try {
            if (items.isEmpty() && !connection.isCompletedExceptionally()) {
                call.connection = connection.getNow(null);
                call.markSent(); // nothing to send: sent and written at once, as Ice's empty flush
                call.succeed(null);
            } else {
                connection.whenComplete((conn, failure) -> send(call, items, conn, failure));
            }
        } finally {
            call.starting(false);
        }
        result.settleIfDecided();
        return result;
    }

    private static void send(Call flush, List<Item> items, RpcConnection conn, Throwable failure) {
        if (failure != null) {
            Throwable why = Exceptions.unwrap(failure);
            for (Item item : items) {
                item.fail(why); // the batch never reached a connection
            }
            flush.failUnsent(why);
            return;
        }
        flush.connection = conn;
        BatchSend.Sent sent = conn.sendBatch(items);
        sent.handedOver().whenComplete((handed, lost) -> {
            if (lost != null) {
                flush.fail(Exceptions.unwrap(lost));
                return;
            }
            flush.markSent(); // in this thread if handed over within the call; always before completing
            sent.written().whenComplete((v, e) -> {
                if (e == null) {
                    flush.succeed(null);
                } else {
                    flush.fail(Exceptions.unwrap(e));
                }
            });
        });
    }

    /**
     * Waits for a flush, bounded by its deadline (the call timeout), and rethrows its failure as
     * the synchronous flush methods declare it.
     */
    public static void awaitFlush(AsyncResultImpl<Void> flush) {
        try {
            flush.value();
        } catch (RpcException e) {
            throw e; // made in this thread by value(), showing the caller's stack
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failures.canceled("interrupted while flushing a batch", e, false);
        } catch (Exception e) {
            throw Failures.connection("the batch flush failed: " + e, e, false);
        }
    }

    /**
     * Queues a call, encoding its arguments now.
     *
     * @throws MarshalException if the arguments cannot be encoded or would not fit in a frame
     */
    void add(Call call) {
        ByteBuf arguments = alloc.buffer(RequestFrames.sizeHint(call.args));
        try {
            FrameOutput.encode(call.operation.argumentCoder(), call.args, arguments);
        } catch (Exception | StackOverflowError e) {
            arguments.release();
            throw Failures.marshal("cannot encode the arguments of " + call.describe() + ": "
                    + e.getMessage(), e, true);
        }
        Item item = new Item(call, arguments);
        if (item.size() > owner.maxFrameSize()) {
            arguments.release();
            throw Failures.marshal("the request for " + call.describe() + " is " + item.size()
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
        call.batched = true;
        if (call.oneway) {
            call.succeed(null); // Ice: a queued batch oneway call is complete once queued
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
            item.fail(why);
        }
    }
}
