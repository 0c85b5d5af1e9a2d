package dev.hermod;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hand-made bytes of Hermod wire protocol version 1, for tests that talk to a peer over a raw
 * socket. Written from the protocol description, not from Hermod's own encoder, so that a bug in
 * the encoder cannot hide the same bug in the decoder.
 */
final class FaultWire {
    private FaultWire() {}

    static final int REQUEST = 0x01;
    static final int REPLY = 0x02;
    static final int PING = 0x06;
    static final int PONG = 0x07;
    static final int GOAWAY = 0x08;
    static final int SETTINGS = 0x09;

    static final int OUTCOME_RESULT = 0;
    static final int OUTCOME_FAILURE = 2;

    /** The arguments of {@code getName(99)}: a CBOR array of one item, the unsigned integer 99. */
    static final byte[] GET_NAME_99 = bytes(0x81, 0x18, 0x63);
    /** The result "Ken" of {@code getName(99)}: a CBOR array of one item, a 3-byte text string. */
    static final byte[] KEN = bytes(0x81, 0x63, 'K', 'e', 'n');

    /** Returns the given values as bytes; each must fit in one byte. */
    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** An 8-byte preamble: "HRMD", u16 version, u16 reserved 0. */
    static byte[] preamble(int version) {
        return ByteBuffer.allocate(8).put("HRMD".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) version).putShort((short) 0).array();
    }

    /** A frame's length prefix, type and flags, with any length (even a wrong one). */
    static byte[] frameHeader(long length, int type, int flags) {
        return ByteBuffer.allocate(6).putInt((int) length).put((byte) type).put((byte) flags).array();
    }

    /** A complete, well-formed frame. */
    static byte[] frame(int type, int flags, byte[] body) {
        return concat(frameHeader(2L + body.length, type, flags), body);
    }

    /** A complete REQUEST frame without timeout or context. */
    static byte[] request(int requestId, String service, String operation, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ByteBuffer.allocate(8).putInt(requestId).putInt(0).array());
        body.writeBytes(str16(service));
        body.writeBytes(str16(operation));
        body.writeBytes(bytes(0, 0)); // no context entries
        body.writeBytes(payload);
        return frame(REQUEST, 0, body.toByteArray());
    }

    static byte[] str16(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return concat(bytes(utf8.length >>> 8, utf8.length), utf8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * Splits what a peer sent into its preamble's version and its frames. A trailing partial frame
     * is an error: a peer must not send half a frame and close.
     */
    static Sent parse(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        if (in.remaining() < 8) {
            throw new AssertionError("fewer than 8 bytes, no preamble: " + Arrays.toString(data));
        }
        byte[] magic = new byte[4];
        in.get(magic);
        if (!Arrays.equals(magic, "HRMD".getBytes(StandardCharsets.US_ASCII))) {
            throw new AssertionError("bad magic " + Arrays.toString(magic));
        }
        int version = Short.toUnsignedInt(in.getShort());
        int preambleFlags = Short.toUnsignedInt(in.getShort());
        List<Frame> frames = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < 4) {
                throw new AssertionError("truncated length prefix at the end of the stream");
            }
            int length = in.getInt();
            if (length < 2 || length > in.remaining()) {
                throw new AssertionError("bad or truncated frame of length " + length + ", "
                        + in.remaining() + " bytes left");
            }
            int type = Byte.toUnsignedInt(in.get());
            int flags = Byte.toUnsignedInt(in.get());
            byte[] body = new byte[length - 2];
            in.get(body);
            if (type == SETTINGS && frames.isEmpty() && (preambleFlags & 1) != 0) {
                continue; // the handshake's settings (PROTOCOL.md section 3.1), not a frame under test
            }
            frames.add(new Frame(type, flags, body));
        }
        return new Sent(version, frames);
    }

    /** What one peer sent on a connection. */
    record Sent(int version, List<Frame> frames) {}

    /** One frame: type, flags and body (after type and flags). */
    record Frame(int type, int flags, byte[] body) {
        GoAway goAway() {
            if (type != GOAWAY) {
                throw new AssertionError("expected a GOAWAY frame, got type " + type);
            }
            ByteBuffer in = ByteBuffer.wrap(body);
            int status = Short.toUnsignedInt(in.getShort());
            String message = readStr16(in);
            if (in.hasRemaining()) {
                throw new AssertionError(in.remaining() + " trailing bytes in GOAWAY");
            }
            return new GoAway(status, message);
        }

        Reply reply() {
            if (type != REPLY) {
                throw new AssertionError("expected a REPLY frame, got type " + type);
            }
            ByteBuffer in = ByteBuffer.wrap(body);
            int id = in.getInt();
            int outcome = Byte.toUnsignedInt(in.get());
            if (outcome == OUTCOME_FAILURE) {
                int status = Short.toUnsignedInt(in.getShort());
                int failureFlags = Byte.toUnsignedInt(in.get());
                String message = readStr16(in);
                return new Reply(id, outcome, status, (failureFlags & 1) != 0, message, new byte[0]);
            }
            byte[] payload = new byte[in.remaining()];
            in.get(payload);
            return new Reply(id, outcome, 0, false, null, payload);
        }

        @Override
        public String toString() {
            return "Frame[type=" + type + ", flags=" + flags + ", " + body.length + " body bytes]";
        }
    }

    /** A GOAWAY frame's body. */
    record GoAway(int status, String message) {}

    /**
     * A REPLY frame's body: for a failure its status, unprocessed flag and message; otherwise the
     * bytes after the outcome.
     */
    record Reply(int requestId, int outcome, int status, boolean unprocessed, String message, byte[] payload) {}

    private static String readStr16(ByteBuffer in) {
        int len = Short.toUnsignedInt(in.getShort());
        byte[] utf8 = new byte[len];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
