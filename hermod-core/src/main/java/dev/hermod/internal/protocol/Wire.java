package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Constants and primitive encodings of the Hermod wire protocol, version 1. {@code docs/PROTOCOL.md}
 * is the normative description; keep the two in step.
 */
public final class Wire {
    private Wire() {}

    /** "HRMD" in ASCII: the first four bytes each peer sends. */
    public static final int MAGIC = 0x48524D44;
    /**
     * The context key under which a client sends the id of a {@code @Deduplicated} call (section
     * 5.2): the same on every attempt, so that the server runs the call once.
     */
    public static final String CALL_ID = "hermod-call-id";
    /** Where a REPLY frame (length prefix included) holds its request id. */
    public static final int REPLY_ID_OFFSET = 6; // the length prefix, type and flags
    /** The protocol version this implementation speaks. */
    public static final int VERSION = 1;
    /** Bytes in the preamble: magic (4), version (2), reserved (2). */
    public static final int PREAMBLE_LENGTH = 8;
    /** Bytes in a frame's length prefix. */
    public static final int LENGTH_PREFIX = 4;
    /** Bytes of a frame after its length prefix that every frame has: type and flags. */
    public static final int FRAME_HEADER = 2;

    public static final int REQUEST = 0x01;
    public static final int REPLY = 0x02;
    public static final int CANCEL = 0x03;
    public static final int PROGRESS = 0x04;
    public static final int BATCH = 0x05;
    public static final int PING = 0x06;
    public static final int PONG = 0x07;
    public static final int GOAWAY = 0x08;
    /** The sender's settings, its first frame when its preamble says so (PROTOCOL.md section 3.1). */
    public static final int SETTINGS = 0x09;
    /** Preamble flag: a SETTINGS frame follows the preamble as the sender's first frame. */
    public static final int PREAMBLE_SETTINGS = 0x0001;
    /** SETTINGS entry: the largest frame length the sender accepts. */
    public static final int SETTING_MAX_FRAME_SIZE = 0x0001;
    /** SETTINGS entry: the compression formats the sender reads, as bits ({@link Compression#LZ4}). */
    public static final int SETTING_COMPRESSION = 0x0002;
    /**
     * SETTINGS entry (a server's): value 1 says the server authenticates: the client sends AUTH and
     * waits for AUTH_OK before any request (PROTOCOL.md section 3.3).
     */
    public static final int SETTING_AUTHENTICATION = 0x0003;
    /** A client's credentials, once, right after the server's SETTINGS announced authentication. */
    public static final int AUTH = 0x0A;
    /** A server's answer to AUTH: the connection is authenticated (or stays anonymous). */
    public static final int AUTH_OK = 0x0B;
    /** SETTINGS entry: the sender understands the stream frames (PROTOCOL.md section 26); value 1. */
    public static final int SETTING_STREAMS = 0x0010;
    /** The value of {@link #SETTING_STREAMS} for the stream frames of section 26. */
    public static final int STREAMS_V1 = 1;
    /** SETTINGS entry: the sender reads buffers sent as raw segments after the payload (section 30); value 1. */
    public static final int SETTING_SEGMENTS = 0x0011;
    /** The value of {@link #SETTING_SEGMENTS} for the segments of section 30. */
    public static final int SEGMENTS_V1 = 1;
    /** One item of a stream (section 26.2); types 0x10 to 0x1F are kept for streams. */
    public static final int ITEM = 0x10;
    /** Credit for more items of a stream (section 26.3). */
    public static final int CREDIT = 0x11;
    /** The end of an argument stream, or its consumer's cancel (section 26.4). */
    public static final int STREAM_END = 0x12;
    /** The least maximum frame size a side may announce, and may send before it knows the peer's. */
    public static final int MIN_MAX_FRAME_SIZE = 1024;

    /** Reply outcome: the operation returned; the payload holds the result. */
    public static final int OUTCOME_RESULT = 0;
    /** Reply outcome: the operation threw a declared exception. */
    public static final int OUTCOME_EXCEPTION = 1;
    /** Reply outcome: the invocation failed; a status, message and optional traceback follow. */
    public static final int OUTCOME_FAILURE = 2;

    /** REQUEST flag: the sender expects no reply. */
    public static final int FLAG_ONEWAY = 0x01;
    /** REQUEST and REPLY flag: the payload is compressed (PROTOCOL.md section 3.1, COMPRESSION). */
    public static final int FLAG_COMPRESSED = 0x02;
    /** REQUEST flag: the sender asks for its result REPLY compressed (section 3.1, COMPRESSION). */
    public static final int FLAG_COMPRESS_REPLY = 0x04;

    /** REQUEST flag: the request streams its result or arguments (section 26). */
    public static final int FLAG_STREAM = 0x08;

    /**
     * REQUEST flag, in process only: the arguments are not in the payload but handed over by
     * reference, and the result comes back so (PROTOCOL.md section 29; never sent over a socket).
     */
    public static final int FLAG_BY_REFERENCE = 0x10;

    /**
     * REQUEST and REPLY flag: the payload is a {@code u32} length, that many bytes of codec
     * payload, then the raw segments its buffer values name (PROTOCOL.md section 30).
     */
    public static final int FLAG_SEGMENTS = 0x20;

    /** Failure flag: the request never reached the servant. */
    public static final int FAILURE_UNPROCESSED = 0x01;

    static final int MAX_STR16 = 0xFFFF;
    /** The longest string {@link #writeStr16} writes into a heap buffer's array itself, if it is ASCII. */
    private static final int ASCII_DIRECT_MAX = 1024;

    /** Writes the 8-byte preamble. */
    public static void writePreamble(ByteBuf out) {
        out.writeInt(MAGIC).writeShort(VERSION).writeShort(PREAMBLE_SETTINGS);
    }

    /** Names a frame type for diagnostics. */
    public static String typeName(int type) {
        switch (type) {
            case REQUEST: return "REQUEST";
            case REPLY: return "REPLY";
            case CANCEL: return "CANCEL";
            case PROGRESS: return "PROGRESS";
            case BATCH: return "BATCH";
            case SETTINGS: return "SETTINGS";
            case PING: return "PING";
            case PONG: return "PONG";
            case GOAWAY: return "GOAWAY";
            case AUTH: return "AUTH";
            case AUTH_OK: return "AUTH_OK";
            case ITEM: return "ITEM";
            case CREDIT: return "CREDIT";
            case STREAM_END: return "STREAM_END";
            default: return "0x" + Integer.toHexString(type);
        }
    }

    /**
     * Writes a string as a u16 byte length and UTF-8 bytes. Strings longer than 65,535 bytes are
     * cut at a character boundary; callers that cannot accept that check first with {@link #utf8Length}.
     */
    public static void writeStr16(ByteBuf out, String s) {
        if (s.length() <= ASCII_DIRECT_MAX && out.hasArray() && writeAsciiStr16(out, s)) {
            return;
        }
        int len = utf8Length(s);
        if (len <= MAX_STR16) {
            out.writeShort(len);
            out.writeCharSequence(s, StandardCharsets.UTF_8);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int cut = MAX_STR16;
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
            cut--; // do not split a multi-byte character
        }
        out.writeShort(cut);
        out.writeBytes(bytes, 0, cut);
    }

    /**
     * Writes {@code s} as {@link #writeStr16} does into the array of {@code out}, if it is all
     * ASCII (one byte a character in UTF-8): the service and operation names of every request,
     * which Netty's UTF-8 encoder measured and then encoded at several times the cost (5% of a
     * calling thread in hermod-bench's {@code throughput}). Returns false, having written nothing
     * past the writer index, for a string with any other character.
     */
    private static boolean writeAsciiStr16(ByteBuf out, String s) {
        int n = s.length();
        out.ensureWritable(2 + n);
        byte[] a = out.array();
        int at = out.arrayOffset() + out.writerIndex();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            a[at + 2 + i] = (byte) c;
        }
        a[at] = (byte) (n >>> 8);
        a[at + 1] = (byte) n;
        out.writerIndex(out.writerIndex() + 2 + n);
        return true;
    }

    /** Reads a string written by {@link #writeStr16}. */
    public static String readStr16(ByteBuf in) {
        need(in, 2, "string length");
        int len = in.readUnsignedShort();
        need(in, len, "string");
        String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
        in.skipBytes(len);
        return s;
    }

    /** Returns the number of bytes {@code s} takes in UTF-8. */
    public static int utf8Length(CharSequence s) {
        return io.netty.buffer.ByteBufUtil.utf8Bytes(s);
    }

    /** Fails with a protocol violation unless {@code n} more bytes are readable. */
    public static void need(ByteBuf in, int n, String what) {
        if (in.readableBytes() < n) {
            throw new ProtocolViolation("truncated frame: " + what + " needs " + n
                    + " bytes, " + in.readableBytes() + " left");
        }
    }
}
