package dev.hermod.internal.protocol;

import dev.hermod.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encoders and decoders of the stream frames (PROTOCOL.md section 26): ITEM, CREDIT and
 * STREAM_END. Each names a stream by the id of the REQUEST that opened it and a slot: 0 for the
 * result, n for the n-th parameter (counting from 1).
 */
public final class StreamFrames {
    private StreamFrames() {}

    /** The slot of a request's result stream. */
    public static final int RESULT_SLOT = 0;

    /** STREAM_END kind: the producer has sent every item. */
    public static final int END_COMPLETED = 0;
    /** STREAM_END kind: the producer failed; a status and message follow. */
    public static final int END_FAILED = 1;
    /** STREAM_END kind: the consumer wants no more items. */
    public static final int END_CANCELED = 2;

    /** Starts an ITEM frame; the caller appends the encoded item and calls {@link Frames#end}. */
    public static ByteBuf beginItem(ByteBufAllocator alloc, int requestId, int slot, int sizeHint) {
        ByteBuf buf = Frames.begin(alloc, sizeHint + 16, Wire.ITEM, 0);
        buf.writeInt(requestId).writeByte(slot);
        return buf;
    }

    /** Builds a CREDIT frame granting {@code credit} more items (at most 2^32 - 1 at once). */
    public static ByteBuf credit(ByteBufAllocator alloc, int requestId, int slot, long credit) {
        ByteBuf buf = Frames.begin(alloc, 16, Wire.CREDIT, 0);
        buf.writeInt(requestId).writeByte(slot).writeInt((int) Math.min(credit, 0xFFFF_FFFFL));
        return Frames.end(buf);
    }

    /** Builds a STREAM_END frame of kind {@link #END_COMPLETED} or {@link #END_CANCELED}. */
    public static ByteBuf end(ByteBufAllocator alloc, int requestId, int slot, int kind) {
        ByteBuf buf = Frames.begin(alloc, 16, Wire.STREAM_END, 0);
        buf.writeInt(requestId).writeByte(slot).writeByte(kind);
        return Frames.end(buf);
    }

    /** Builds a STREAM_END frame of kind {@link #END_FAILED}. */
    public static ByteBuf failed(ByteBufAllocator alloc, int requestId, int slot, Status status, String message) {
        ByteBuf buf = Frames.begin(alloc, 64, Wire.STREAM_END, 0);
        buf.writeInt(requestId).writeByte(slot).writeByte(END_FAILED).writeShort(status.code());
        Wire.writeStr16(buf, message == null ? "" : message);
        return Frames.end(buf);
    }

    /** Where a stream frame goes: the request id and the slot. */
    public record Address(int requestId, int slot) {}

    /** Reads the request id and slot of an ITEM, CREDIT or STREAM_END body; the payload or rest follows. */
    public static Address readAddress(ByteBuf body) {
        Wire.need(body, 5, "stream request id and slot");
        return new Address(body.readInt(), body.readUnsignedByte());
    }

    /** Reads the credit of a CREDIT body after its address; 0 is a protocol error. */
    public static long readCredit(ByteBuf body) {
        Wire.need(body, 4, "credit");
        long credit = body.readUnsignedInt();
        if (credit == 0) {
            throw new ProtocolViolation("a CREDIT frame granting 0 items");
        }
        return credit;
    }

    /** How a STREAM_END ended its stream; status and message only for {@link #END_FAILED}. */
    public record End(int kind, Status status, String message) {}

    /** Reads a STREAM_END body after its address. */
    public static End readEnd(ByteBuf body) {
        Wire.need(body, 1, "stream end kind");
        int kind = body.readUnsignedByte();
        switch (kind) {
            case END_COMPLETED:
            case END_CANCELED:
                return new End(kind, null, null);
            case END_FAILED:
                Wire.need(body, 2, "stream failure status");
                Status status = Status.fromCode(body.readUnsignedShort());
                return new End(kind, status, Wire.readStr16(body));
            default:
                throw new ProtocolViolation("STREAM_END of unknown kind " + kind);
        }
    }
}
