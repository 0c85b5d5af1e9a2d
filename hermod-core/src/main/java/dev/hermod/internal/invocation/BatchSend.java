package dev.hermod.internal.invocation;

import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.protocol.BatchFrames;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.Wire;
import dev.hermod.internal.transport.Backlog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends the requests of a batch over one connection as BATCH frames, as many per frame as the
 * frame size allows, in the order they were queued. A two-way request withdrawn (canceled or
 * expired) before its frame is handed to the transport is cut out of the frame and never sent.
 * One use per flush; not thread-safe itself (the frames it hands over are).
 */
final class BatchSend {
    private final RpcConnection connection;

    BatchSend(RpcConnection connection) {
        this.connection = connection;
    }

    private Link link() {
        return connection.link();
    }

    /** What became of a batch handed to a connection: each future completes once for all its frames. */
    public record Sent(CompletableFuture<Void> handedOver, CompletableFuture<Void> written) {}

    /**
     * Sends the requests; two-way ones then wait for their replies like any call.
     *
     * @return when every frame has been handed to the transport, and when every one is written
     *     (or why the batch was lost)
     */
    Sent send(List<BatchQueue.Item> items) {
        List<CompletableFuture<Void>> handedOver = new ArrayList<>();
        List<CompletableFuture<Void>> written = new ArrayList<>();
        ByteBuf frame = null;
        BatchParcel inFrame = null;
        for (BatchQueue.Item item : items) {
            Call call = item.call();
            if (!call.oneway && call.isDone()) { // canceled or expired while queued
                item.arguments().release();
                continue;
            }
            if (frame == null) {
                frame = BatchFrames.beginBatch(link().alloc(), Math.min(link().sendLimit(), 64 * 1024));
                inFrame = new BatchParcel();
            }
            call.connection = connection;
            int id = call.oneway ? 0 : connection.register(call);
            int mark = frame.writerIndex();
            appendItem(frame, call, id, item.arguments());
            if (Frames.frameLength(frame) > link().sendLimit() && inFrame.size() > 0) {
                // Too big for this frame: send what fits, and start the next frame with this item.
                frame.writerIndex(mark);
                writeBatch(frame, inFrame, handedOver, written);
                frame = BatchFrames.beginBatch(link().alloc(), Math.min(link().sendLimit(), 64 * 1024));
                inFrame = new BatchParcel();
                mark = frame.writerIndex();
                appendItem(frame, call, id, item.arguments());
            }
            item.arguments().release();
            if (Frames.frameLength(frame) > link().sendLimit()) { // alone, it is too big for any frame
                connection.unregister(id, call);
                call.fail(Failures.marshal("the request for " + call.describe()
                        + " does not fit in a frame within " + link().describeSendLimit(), null, true));
                call.neverSent();
                frame.release();
                frame = null;
                continue;
            }
            inFrame.add(call, mark, frame.writerIndex());
        }
        if (frame != null) {
            writeBatch(frame, inFrame, handedOver, written);
        }
        return new Sent(CompletableFuture.allOf(handedOver.toArray(CompletableFuture<?>[]::new)),
                CompletableFuture.allOf(written.toArray(CompletableFuture<?>[]::new)));
    }

    private void appendItem(ByteBuf frame, Call call, int id, ByteBuf arguments) {
        int at = BatchFrames.beginBatchItem(frame, call.oneway ? Wire.FLAG_ONEWAY : 0);
        Frames.writeRequestHeader(frame, id, call.wireTimeoutMillis(), call.service, call.operation.name(),
                call.options.context());
        frame.writeBytes(arguments, arguments.readerIndex(), arguments.readableBytes());
        BatchFrames.endBatchItem(frame, at);
    }

    private void writeBatch(ByteBuf frame, BatchParcel batch, List<CompletableFuture<Void>> handedOver,
            List<CompletableFuture<Void>> written) {
        handedOver.add(batch.handed);
        written.add(batch.done);
        connection.offer(BatchFrames.endBatch(frame, batch.size()), batch, false, batch.size()); // never refused
    }

    /**
     * A BATCH frame as the backlog sees it: the requests it carries and where each lies in it, so
     * that those withdrawn while it waits are cut out before it is handed over.
     */
    private final class BatchParcel implements Backlog.Parcel {
        private record Entry(Call call, int from, int to) {}

        private final List<Entry> entries = new ArrayList<>();
        /** The calls the frame carries; after the claim, only those it was sent with. */
        private volatile List<Call> calls;
        private List<Call> dropped = List.of();
        final CompletableFuture<Void> handed = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        void add(Call call, int from, int to) {
            entries.add(new Entry(call, from, to));
        }

        int size() {
            return entries.size();
        }

        private List<Call> calls() {
            List<Call> c = calls;
            if (c == null) {
                c = new ArrayList<>(entries.size());
                for (Entry e : entries) {
                    c.add(e.call());
                }
                calls = c;
            }
            return c;
        }

        /** Oneway requests are complete once queued and never withdrawn; two-way ones are claimed. */
        @Override
        public ByteBuf claim(ByteBuf frame) {
            List<Entry> kept = new ArrayList<>(entries.size());
            List<Call> out = new ArrayList<>(0);
            for (Entry e : entries) {
                if (e.call().oneway || e.call().handOver()) {
                    kept.add(e);
                } else {
                    out.add(e.call());
                }
            }
            dropped = out;
            if (out.isEmpty()) {
                return frame;
            }
            List<Call> sent = new ArrayList<>(kept.size());
            kept.forEach(e -> sent.add(e.call()));
            calls = sent;
            if (kept.isEmpty()) {
                frame.release();
                return null;
            }
            ByteBuf rebuilt = BatchFrames.beginBatch(link().alloc(), frame.readableBytes());
            for (Entry e : kept) {
                rebuilt.writeBytes(frame, e.from(), e.to() - e.from());
            }
            frame.release();
            return BatchFrames.endBatch(rebuilt, kept.size());
        }

        @Override
        public void handingOver() {
            for (Call call : calls()) {
                connection.number(call);
            }
        }

        @Override
        public void handedOver() {
            for (Call call : calls()) {
                call.markSent();
            }
            handed.complete(null);
        }

        @Override
        public void written(ChannelFuture f) {
            if (f.isSuccess()) {
                for (Call call : calls()) {
                    call.written(call.attempt());
                }
                done.complete(null);
                return;
            }
            RpcException failure = Exceptions.unsent(connection.writeFailure(f, "could not send a batch of "
                    + calls().size() + " requests"));
            for (Call call : calls()) {
                if (call.oneway) {
                    call.neverSent();
                } else if (connection.unregister(call.requestId, call)) {
                    call.fail(failure);
                }
            }
            handed.completeExceptionally(failure);
            done.completeExceptionally(failure);
        }

        @Override
        public void claimed() {
            dropped.forEach(connection::forget); // withdrawn: never sent
            if (calls().isEmpty()) { // nothing was left to send: the batch is done
                handed.complete(null);
                done.complete(null);
            }
        }
    }
}
