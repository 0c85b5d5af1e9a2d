package dev.hermod.abuse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Hand-made bytes of Hermod wire protocol version 1 (docs/PROTOCOL.md), and the few CBOR shapes
 * the attacks send, written from the specifications rather than with Hermod's own encoder.
 */
final class AbuseWire {
    static final int REQUEST = 0x01;
    static final int REPLY = 0x02;
    static final int BATCH = 0x05;
    static final int PING = 0x06;
    static final int PONG = 0x07;
    static final int GOAWAY = 0x08;
    static final int FLAG_ONEWAY = 0x01;
    static final int OUTCOME_FAILURE = 2;
    /** Status numbers (section 12). */
    static final int TIMEOUT = 3;
    static final int MARSHAL = 7;
    static final int RESOURCE_EXHAUSTED = 10;

    private AbuseWire() {}

    static byte[] preamble() {
        return ByteBuffer.allocate(8).put("HRMD".getBytes(StandardCharsets.US_ASCII)).putShort((short) 1)
                .putShort((short) 0).array();
    }

    /** A REQUEST body (a REQUEST frame from its offset 6 on, or a batch item). */
    static byte[] requestBody(int id, long timeoutMillis, String service, String operation, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(payload.length + 64);
        b.writeBytes(ByteBuffer.allocate(8).putInt(id).putInt((int) timeoutMillis).array());
        b.writeBytes(str16(service));
        b.writeBytes(str16(operation));
        b.writeBytes(new byte[] {0, 0}); // no context
        b.writeBytes(payload);
        return b.toByteArray();
    }

    /** A complete REQUEST frame, length prefix included. */
    static byte[] request(int id, int flags, long timeoutMillis, String service, String operation, byte[] payload) {
        return frame(REQUEST, flags, requestBody(id, timeoutMillis, service, operation, payload));
    }

    /** A two-way call of {@code operation} on the {@code abuse} service, without a deadline. */
    static byte[] call(int id, String operation, byte[] payload) {
        return request(id, 0, 0, "abuse", operation, payload);
    }

    /** A BATCH frame of items, each {@code [flags, body]}. */
    static byte[] batch(List<byte[]> bodies, int itemFlags) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ByteBuffer.allocate(4).putInt(bodies.size()).array());
        for (byte[] body : bodies) {
            b.write(itemFlags);
            b.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
            b.writeBytes(body);
        }
        return frame(BATCH, 0, b.toByteArray());
    }

    static byte[] frame(int type, int flags, byte[] body) {
        ByteBuffer f = ByteBuffer.allocate(6 + body.length);
        f.putInt(2 + body.length).put((byte) type).put((byte) flags).put(body);
        return f.array();
    }

    static byte[] str16(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + utf8.length).putShort((short) utf8.length).put(utf8).array();
    }

    // ---- CBOR (RFC 8949) ----

    /** The head of a CBOR item of major type {@code major} with argument {@code n}. */
    static void head(ByteArrayOutputStream out, int major, long n) {
        int m = major << 5;
        if (n < 24) {
            out.write(m | (int) n);
        } else if (n < 0x100) {
            out.write(m | 24);
            out.write((int) n);
        } else if (n < 0x10000) {
            out.write(m | 25);
            out.writeBytes(ByteBuffer.allocate(2).putShort((short) n).array());
        } else {
            out.write(m | 26);
            out.writeBytes(ByteBuffer.allocate(4).putInt((int) n).array());
        }
    }

    /** Arguments of one unsigned integer: {@code [n]}. */
    static byte[] intArg(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        head(out, 4, 1);
        head(out, 0, n);
        return out.toByteArray();
    }

    /** Arguments of two unsigned integers: {@code [a, b]}. */
    static byte[] intArgs(int a, int b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        head(out, 4, 2);
        head(out, 0, a);
        head(out, 0, b);
        return out.toByteArray();
    }

    /** Arguments of one byte string of {@code size} zero bytes. */
    static byte[] bytesArg(int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 8);
        head(out, 4, 1);
        head(out, 2, size);
        out.writeBytes(new byte[size]);
        return out.toByteArray();
    }

    /** Arguments of one text string. */
    static byte[] textArg(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        head(out, 4, 1);
        head(out, 3, utf8.length);
        out.writeBytes(utf8);
        return out.toByteArray();
    }

    /**
     * Arguments of one map of {@code keys} distinct short text keys to 0, plus {@code extra}
     * leading entries (already encoded), e.g. the known properties of a record.
     */
    static byte[] mapArg(int keys, byte[] extra, int extraEntries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(keys * 7 + 16);
        head(out, 4, 1);
        head(out, 5, (long) keys + extraEntries);
        out.writeBytes(extra);
        for (int i = 0; i < keys; i++) {
            String k = Integer.toString(i, 36);
            head(out, 3, k.length());
            out.writeBytes(k.getBytes(StandardCharsets.US_ASCII));
            out.write(0); // unsigned 0
        }
        return out.toByteArray();
    }

    /** The entries {@code "x": 1, "y": 2} of an {@link Abuse.Shape}. */
    static byte[] shapeEntries() {
        return new byte[] {0x61, 'x', 0x01, 0x61, 'y', 0x02};
    }
}
