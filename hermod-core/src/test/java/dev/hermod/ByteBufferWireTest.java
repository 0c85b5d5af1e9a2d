package dev.hermod;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Segments on the wire (PROTOCOL.md section 30), from a raw socket: a well-formed segmented
 * request is served and a buffer result comes back as a segment; payload and segment lengths that
 * do not add up get failure 7 {@code MARSHAL}, unprocessed, and the connection, and the server,
 * go on serving.
 */
final class ByteBufferWireTest {
    private static final int REQUEST = 1;
    private static final int REPLY = 2;
    private static final int SEGMENTS = 0x20;
    private static Server server;

    @BeforeAll
    static void start() {
        server = Hermod.server().host("127.0.0.1").add("buffers", Buffers.class, new Buffers.Impl()).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A raw connection that announced SEGMENTS in its SETTINGS. */
    private static final class Raw implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;

        Raw() throws IOException {
            socket = new Socket("127.0.0.1", server.port());
            socket.setSoTimeout(20_000);
            in = new DataInputStream(socket.getInputStream());
            ByteBuffer hello = ByteBuffer.allocate(8 + 12)
                    .put("HRMD".getBytes(UTF_8)).putShort((short) 1).putShort((short) 1) // preamble, SETTINGS
                    .putInt(8).put((byte) 9).put((byte) 0).putShort((short) 0x11).putInt(1); // SEGMENTS 1
            socket.getOutputStream().write(hello.array());
            in.readFully(new byte[8]); // the server's preamble
            readFrame(); // and its SETTINGS
        }

        byte[] readFrame() throws IOException {
            int length = in.readInt();
            byte[] frame = new byte[length];
            in.readFully(frame);
            return frame;
        }

        /** Sends a REQUEST with the SEGMENTS flag and the given arguments part; returns the REPLY frame. */
        ByteBuffer call(int id, String operation, byte[] arguments) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(ByteBuffer.allocate(10).putInt(id).putInt(0).putShort((short) 7).array());
            body.writeBytes("buffers".getBytes(UTF_8));
            body.writeBytes(ByteBuffer.allocate(2).putShort((short) operation.length()).array());
            body.writeBytes(operation.getBytes(UTF_8));
            body.writeBytes(new byte[2]); // no context
            body.writeBytes(arguments);
            byte[] b = body.toByteArray();
            socket.getOutputStream().write(ByteBuffer.allocate(6 + b.length).putInt(2 + b.length)
                    .put((byte) REQUEST).put((byte) SEGMENTS).put(b).array());
            ByteBuffer reply = ByteBuffer.wrap(readFrame());
            assertThat(reply.get() & 0xFF).as("frame type").isEqualTo(REPLY);
            return reply;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A segmented arguments part: the payload's length, the payload, then the segments. */
    private static byte[] segmented(int payloadLength, byte[] payload, byte[] segments) {
        return ByteBuffer.allocate(4 + payload.length + segments.length).putInt(payloadLength).put(payload)
                .put(segments).array();
    }

    private static byte[] cbor(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** Checks a failure REPLY to {@code id}: status 7, unprocessed; returns its message. */
    private static String marshalFailure(ByteBuffer reply, int id) {
        reply.get(); // flags
        assertThat(reply.getInt()).isEqualTo(id);
        assertThat(reply.get()).as("outcome").isEqualTo((byte) 2);
        assertThat(reply.getShort()).as("status").isEqualTo((short) 7);
        assertThat(reply.get() & 1).as("unprocessed").isEqualTo(1);
        byte[] message = new byte[reply.getShort() & 0xFFFF];
        reply.get(message);
        return new String(message, UTF_8);
    }

    /** Reads a CBOR unsigned integer. */
    private static long unsigned(ByteBuffer in) {
        int head = in.get() & 0xFF;
        return switch (head) {
            case 0x18 -> in.get() & 0xFF;
            case 0x19 -> in.getShort() & 0xFFFF;
            case 0x1A -> in.getInt() & 0xFFFF_FFFFL;
            case 0x1B -> in.getLong();
            default -> head;
        };
    }

    @Test
    void segmentedRequest_isServed_andABufferResultComesBackAsASegment() throws IOException {
        byte[] data = {1, 2, 3, 4, 5};
        try (Raw raw = new Raw()) {
            ByteBuffer sum = raw.call(1, "sum", segmented(2, cbor(0x81, 0x05), data));
            assertThat(sum.get()).as("flags").isEqualTo((byte) 0);
            assertThat(sum.getInt()).isEqualTo(1);
            assertThat(sum.get()).as("outcome").isZero();
            long expected = Buffers.checksum(ByteBuffer.wrap(data));
            assertThat(sum.get() & 0xFF).as("a one-item array").isEqualTo(0x81);
            assertThat(unsigned(sum)).isEqualTo(expected);

            ByteBuffer echo = raw.call(2, "echo", segmented(2, cbor(0x81, 0x05), data));
            assertThat(echo.get()).as("flags: SEGMENTS").isEqualTo((byte) SEGMENTS);
            assertThat(echo.getInt()).isEqualTo(2);
            assertThat(echo.get()).as("outcome").isZero();
            assertThat(echo.getInt()).as("payload length").isEqualTo(2);
            assertThat(new byte[] {echo.get(), echo.get()}).isEqualTo(cbor(0x81, 0x05));
            byte[] segment = new byte[echo.remaining()];
            echo.get(segment);
            assertThat(segment).isEqualTo(data);

            // mixed("t", 3 bytes, 42, 2 bytes, null)
            ByteBuffer mixed = raw.call(3, "mixed", segmented(8, cbor(0x85, 0x61, 't', 0x03, 0x18, 42, 0x02, 0xF6),
                    data));
            mixed.position(mixed.position() + 5);
            assertThat(mixed.get()).as("outcome").withFailMessage(() -> new String(mixed.array(), UTF_8)).isZero();
            byte[] text = new byte[mixed.remaining()];
            mixed.get(text);
            assertThat(new String(text, UTF_8)).contains("t 42 3 2 null "
                    + Buffers.checksum(ByteBuffer.wrap(data, 0, 3)) + " " + Buffers.checksum(ByteBuffer.wrap(data, 3, 2)));
        }
    }

    @Test
    void malformedSegments_getMarshalFailures_andTheConnectionAndServerGoOn() throws Exception {
        byte[] five = {1, 2, 3, 4, 5};
        try (Raw raw = new Raw()) {
            assertThat(marshalFailure(raw.call(1, "sum", segmented(255, cbor(0x81, 0x05), five)), 1))
                    .contains("a payload of 255 bytes announced");
            assertThat(marshalFailure(raw.call(2, "sum", cbor(0, 0)), 2)).contains("too few for its 4-byte payload length");
            assertThat(marshalFailure(raw.call(3, "sum", segmented(2, cbor(0x81, 0x0A), five)), 3))
                    .contains("a segment of 10 bytes, where 5 bytes of segments are left");
            assertThat(marshalFailure(raw.call(4, "sum", segmented(2, cbor(0x81, 0x02), five)), 4))
                    .contains("3 bytes of segments are named by no value");
            assertThat(marshalFailure(raw.call(5, "sum", segmented(2, cbor(0x81, 0x20), five)), 5))
                    .contains("a segment of -1 bytes");
            assertThat(marshalFailure(raw.call(6, "sum", segmented(4, cbor(0x81, 0x42, 1, 2), five)), 6))
                    .contains("expected the length of a segment");
            assertThat(marshalFailure(raw.call(7, "sum", segmented(10, cbor(0x81, 0x1B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF,
                    0xFF, 0xFF, 0xFF), five)), 7)).contains("a segment of 9223372036854775807 bytes");
            assertThat(marshalFailure(raw.call(8, "mixed", segmented(7, cbor(0x84, 0x61, 't', 0x03, 0x18, 42, 0x02),
                    five)), 8)).contains("expected 5 values, got 4");

            ByteBuffer ok = raw.call(9, "sum", segmented(2, cbor(0x81, 0x05), five));
            ok.get();
            assertThat(ok.getInt()).isEqualTo(9);
            assertThat(ok.get()).as("outcome after the failures").isZero();
        }
        try (Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            assertThat(client.proxy(Buffers.class, "buffers").sum(ByteBuffer.wrap(five)))
                    .isEqualTo(Buffers.checksum(ByteBuffer.wrap(five)));
        }
    }
}
