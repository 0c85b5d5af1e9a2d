package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The service and operation names one connection's requests carry, read without a new
 * {@code String} for a name seen recently: a request names its service and operation in UTF-8
 * (section 5 of PROTOCOL.md), and a connection names the same few again and again. Two strings
 * per request were a tenth of what the server allocated for a small call (hermod-bench
 * {@code throughput}, async-profiler allocation samples).
 *
 * <p>A small table, indexed by a hash of the bytes, holds the last name seen in each slot; a
 * name that is not there is decoded as {@link Wire#readStr16} does, and takes the slot. Names
 * longer than {@link #MAX_LENGTH} bytes are never kept, so the table holds at most
 * {@code SLOTS × MAX_LENGTH} bytes whatever a peer sends.
 *
 * <p>Not thread-safe: one connection's I/O thread reads its requests.
 */
public final class Names {
    /** Slots in the table; a power of two. */
    private static final int SLOTS = 32;
    /** The longest name kept, in bytes. */
    static final int MAX_LENGTH = 64;

    private final ByteBuf[] bytes = new ByteBuf[SLOTS];
    private final String[] strings = new String[SLOTS];

    /**
     * Reads a string of a 2-byte length and that many bytes of UTF-8, as {@link Wire#readStr16}.
     *
     * @throws ProtocolViolation if {@code in} ends before the string does
     */
    public String read(ByteBuf in) {
        Wire.need(in, 2, "string length");
        int length = in.readUnsignedShort();
        Wire.need(in, length, "string");
        int at = in.readerIndex();
        in.skipBytes(length);
        if (length > MAX_LENGTH) {
            return in.toString(at, length, StandardCharsets.UTF_8);
        }
        int slot = slot(in, at, length);
        ByteBuf known = bytes[slot];
        if (known != null && known.readableBytes() == length && ByteBufUtil.equals(in, at, known, 0, length)) {
            return strings[slot];
        }
        byte[] copy = new byte[length];
        in.getBytes(at, copy);
        String name = new String(copy, StandardCharsets.UTF_8);
        bytes[slot] = Unpooled.wrappedBuffer(copy);
        strings[slot] = name;
        return name;
    }

    /** A slot for the bytes: their length, first and last bytes (up to 8 of each) mixed. */
    private static int slot(ByteBuf in, int at, int length) {
        long h = length;
        if (length >= 8) {
            h = h * 31 + in.getLong(at);
            h = h * 31 + in.getLong(at + length - 8);
        } else {
            for (int i = 0; i < length; i++) {
                h = h * 31 + in.getByte(at + i);
            }
        }
        h *= 0x9E3779B97F4A7C15L;
        return (int) (h >>> 59); // the top 5 bits: one of 32 slots
    }
}
