package dev.hermod.internal.invocation;

import dev.hermod.MarshalException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.util.ArrayList;
import java.util.List;

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
     * Queues a call, encoding its arguments now.
     *
     * @throws MarshalException if the arguments cannot be encoded or would not fit in a frame
     */
    public void add(Call call) {
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
