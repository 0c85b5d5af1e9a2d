package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The segmented payload of a REQUEST or REPLY with the SEGMENTS flag (PROTOCOL.md section 30): a
 * {@code u32} length, that many bytes of codec payload, then the raw bytes of the buffer values the
 * payload names, back to back to the end of the frame.
 *
 * <p>On the sending side the segments are not copied: the frame becomes a composite of its header
 * and payload and of the buffers themselves, wrapped, so that the transport writes them from the
 * caller's memory. Stateless; thread-safe.
 */
public final class Segments {

    private Segments() {}

    /** Reserves the payload's length in {@code frame}; returns where it is, for {@link #end}. */
    private static int begin(ByteBuf frame) {
        int at = frame.writerIndex();
        frame.writeInt(0);
        return at;
    }

    /**
     * Fills in the length of the payload written since {@link #begin} and appends the segments,
     * wrapped: returns the frame to send (a composite holding {@code frame} if there is a
     * non-empty segment), whose length prefix the caller then fills in ({@link Frames#end}). The
     * segments are read from their positions to their limits; none is moved.
     */
    private static ByteBuf end(ByteBuf frame, int at, List<ByteBuffer> segments) {
        frame.setInt(at, frame.writerIndex() - at - 4);
        CompositeByteBuf composite = null;
        for (ByteBuffer segment : segments) {
            if (!segment.hasRemaining()) {
                continue;
            }
            if (composite == null) {
                composite = frame.alloc().compositeBuffer(segments.size() + 1);
                composite.addComponent(true, frame);
            }
            composite.addComponent(true, Unpooled.wrappedBuffer(segment.duplicate()));
        }
        return composite == null ? frame : composite;
    }

    /** Writes a payload into an output stream, listing the segments that follow it. */
    @FunctionalInterface
    public interface Writer {
        void write(java.io.OutputStream out, List<ByteBuffer> segments) throws IOException;
    }

    /**
     * Appends a segmented payload to {@code frame}: its length, what {@code writer} writes, and the
     * segments it lists ({@link #end}). Returns the frame to send; on failure {@code frame} is
     * left to the caller to release.
     */
    public static ByteBuf write(ByteBuf frame, Writer writer) throws IOException {
        int at = begin(frame);
        List<ByteBuffer> segments = new java.util.ArrayList<>(4);
        writer.write(new io.netty.buffer.ByteBufOutputStream(frame), segments);
        return end(frame, at, segments);
    }

    /** A segmented payload cut in two: the codec's payload, and the segments that follow it. */
    public record Split(ByteBuffer payload, ByteBuffer segments) {}

    /**
     * Cuts a segmented payload (from {@code in}'s position to its limit) in two views of the same
     * memory; {@code in} is not moved.
     *
     * @throws IOException if the payload's length is missing or runs past the end of the frame
     */
    public static Split split(ByteBuffer in) throws IOException {
        int at = in.position();
        int available = in.remaining() - 4;
        if (available < 0) {
            throw new IOException("malformed segmented payload: " + in.remaining()
                    + " bytes, too few for its 4-byte payload length");
        }
        long length = Integer.toUnsignedLong(in.getInt(at));
        if (length > available) {
            throw new IOException("malformed segmented payload: a payload of " + length + " bytes announced, "
                    + available + " bytes follow");
        }
        int end = at + 4 + (int) length;
        ByteBuffer payload = in.duplicate().limit(end).position(at + 4).slice();
        ByteBuffer segments = in.duplicate().position(end).slice();
        return new Split(payload, segments);
    }
}
