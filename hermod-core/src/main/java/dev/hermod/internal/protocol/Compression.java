package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.Decompressor;
import io.netty.handler.codec.compression.Lz4FrameDecompressor;
import io.netty.handler.codec.compression.Lz4FrameEncoder;

/**
 * Frame payload compression (PROTOCOL.md section 3.1, COMPRESSION): the payload of a REQUEST or
 * of a result REPLY in Netty's LZ4 frame format, written by Netty's {@link Lz4FrameEncoder} and
 * read by its {@link Lz4FrameDecompressor}. Stateless and thread-safe: each payload is compressed
 * on its own, so frames stay independent of each other.
 */
public final class Compression {
    /** COMPRESSION setting bit: this side reads LZ4-compressed payloads. */
    public static final int LZ4 = 0x1;
    /** Payloads shorter than this are never compressed: the framing would eat the gain. */
    public static final int MIN_PAYLOAD = 1024;

    private Compression() {}

    /**
     * Compresses the bytes of {@code frame} from {@code from} to its end in place and sets the
     * COMPRESSED flag, if the payload is long enough and gets shorter; returns whether it did.
     */
    public static boolean compressTail(ByteBuf frame, int from) {
        int length = frame.writerIndex() - from;
        if (length < MIN_PAYLOAD) {
            return false;
        }
        EmbeddedChannel encoder = new EmbeddedChannel(new Lz4FrameEncoder());
        try {
            encoder.writeOutbound(frame.retainedSlice(from, length));
            encoder.finish(); // closes the LZ4 stream: its end mark is written too
            int total = 0;
            for (Object o : encoder.outboundMessages()) {
                total += ((ByteBuf) o).readableBytes();
            }
            if (total >= length) {
                return false;
            }
            frame.writerIndex(from);
            ByteBuf part;
            while ((part = encoder.readOutbound()) != null) {
                frame.writeBytes(part);
                part.release();
            }
            frame.setByte(5, frame.getByte(5) | Wire.FLAG_COMPRESSED);
            return true;
        } finally {
            encoder.finishAndReleaseAll();
        }
    }

    /**
     * Decompresses {@code payload} (all its readable bytes, which it consumes) into a new buffer
     * the caller releases.
     *
     * @throws ProtocolViolation if the bytes are not an LZ4 payload or inflate beyond {@code max}
     */
    public static ByteBuf decompress(ByteBufAllocator alloc, ByteBuf payload, int max) {
        ByteBuf out = alloc.heapBuffer(Math.min(max, Math.max(256, payload.readableBytes() * 4)), max);
        try (Decompressor d = Lz4FrameDecompressor.builder().maxDecompressedLength(max).build(alloc)) {
            boolean fed = false;
            boolean ended = false;
            while (true) {
                Decompressor.Status status = d.status(); // asked before every step, as Netty's contract wants
                if (status == Decompressor.Status.COMPLETE) {
                    return out;
                }
                if (status == Decompressor.Status.NEED_INPUT) {
                    if (!fed) {
                        d.addInput(payload.retainedSlice());
                        payload.skipBytes(payload.readableBytes());
                        fed = true;
                    } else if (!ended) {
                        d.endOfInput();
                        ended = true;
                    } else {
                        throw new ProtocolViolation("a compressed payload ends before its LZ4 stream does");
                    }
                    continue;
                }
                ByteBuf part = d.takeOutput();
                try {
                    if (part.readableBytes() > out.maxWritableBytes()) {
                        throw new ProtocolViolation("a compressed payload inflates beyond " + max + " bytes");
                    }
                    out.writeBytes(part);
                } finally {
                    part.release();
                }
            }
        } catch (DecompressionException e) {
            out.release();
            throw new ProtocolViolation("a compressed payload is not valid LZ4: " + e.getMessage());
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }
}
