package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * The encoder and decoder of BATCH frames (PROTOCOL.md): requests sent as one frame, each item a
 * REQUEST body with its own flags. A receiver checks the whole frame ({@link #checkBatch}) before
 * it serves any item, then reads the items one by one ({@link #nextBatchItem}). Stateless.
 */
public final class BatchFrames {
    private BatchFrames() {}

    /** Starts a BATCH frame; the caller adds items with {@link #beginBatchItem}/{@link #endBatchItem}. */
    public static ByteBuf beginBatch(ByteBufAllocator alloc, int sizeHint) {
        ByteBuf buf = Frames.begin(alloc, sizeHint + 16, Wire.BATCH, 0);
        buf.writeInt(0); // item count, patched by endBatch
        return buf;
    }

    /** Starts one item of a batch: a REQUEST body with its own flags; returns where its length goes. */
    public static int beginBatchItem(ByteBuf batch, int flags) {
        batch.writeByte(flags);
        int at = batch.writerIndex();
        batch.writeInt(0);
        return at;
    }

    /** Completes the item whose length goes at {@code at}. */
    public static void endBatchItem(ByteBuf batch, int at) {
        batch.setInt(at, batch.writerIndex() - at - 4);
    }

    /** Completes a BATCH frame of {@code items} items. */
    public static ByteBuf endBatch(ByteBuf batch, int items) {
        batch.setInt(Wire.LENGTH_PREFIX + Wire.FRAME_HEADER, items);
        return Frames.end(batch);
    }

    /** One item of a BATCH frame: its flags and its REQUEST body (a slice of the frame). */
    public record BatchItem(int flags, ByteBuf body) {}

    /**
     * Checks a whole BATCH body before any of its items is served: the item count, every item's
     * header and length, each item's REQUEST header (as {@link Frames#checkRequestHeader(ByteBuf)}
     * does) and that nothing follows the last item. Allocates nothing per item; leaves
     * {@code body} at the first item, to be read with {@link #nextBatchItem}.
     *
     * @return the number of items
     * @throws ProtocolViolation if the body is malformed
     */
    public static long checkBatch(ByteBuf body) {
        Wire.need(body, 4, "batch item count");
        long count = body.readUnsignedInt();
        int first = body.readerIndex();
        // Walked in an array with plain indexes, not through the buffer's methods: in a loop of
        // calls on the buffer, JDK 17's C2 hoisted a check on the buffer's class out of the loop
        // (a profile predicate), and frames of another class (a recycled small frame, a pooled
        // large one, a leak-tracked one now and then) failed it, again and again. hermod-bench's
        // oneway batch recompiled this method 195 times and spent its 30 s of warm-up compiling
        // about 80% of the time. Frames read from a socket are on the heap; anything else is copied.
        int length = body.readableBytes();
        byte[] a;
        int offset;
        if (body.hasArray()) {
            a = body.array();
            offset = body.arrayOffset() + first;
        } else {
            a = ByteBufUtil.getBytes(body);
            offset = 0;
        }
        int at = 0;
        for (long i = 0; i < count; i++) {
            Frames.need(at, length, 5, "batch item header");
            long itemLength = uint(a, offset + at + 1);
            at += 5;
            if (itemLength > length - at) {
                throw new ProtocolViolation("batch item " + i + " claims " + itemLength + " bytes, " + (length - at)
                        + " left");
            }
            Frames.checkRequestHeader(a, offset + at, offset + at + (int) itemLength);
            at += (int) itemLength;
        }
        if (at < length) {
            throw new ProtocolViolation((length - at) + " bytes after the last batch item");
        }
        return count;
    }

    private static long uint(byte[] a, int at) {
        return (long) Frames.ushort(a, at) << 16 | Frames.ushort(a, at + 2);
    }

    /** Reads the next item of a BATCH body that {@link #checkBatch} accepted; the slice shares the frame's memory. */
    public static BatchItem nextBatchItem(ByteBuf body) {
        int flags = body.readUnsignedByte();
        int length = (int) body.readUnsignedInt();
        return new BatchItem(flags, body.readSlice(length));
    }
}
