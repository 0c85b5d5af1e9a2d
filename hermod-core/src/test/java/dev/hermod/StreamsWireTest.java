package dev.hermod;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streams against peers that do not know them: each side refuses with a typed error, nothing hangs. */
@Timeout(value = 60, unit = SECONDS)
final class StreamsWireTest {

    @Test
    void server_streamingOperationWithoutStreamFlag_failsOperationNotFound() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").add("feeds", Feeds.class, new FeedsImpl()).start();
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(20_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(new byte[] {'H', 'R', 'M', 'D', 0, 1, 0, 0}); // an earlier peer: no SETTINGS, no streams
            byte[] service = "feeds".getBytes(StandardCharsets.UTF_8);
            byte[] op = "count".getBytes(StandardCharsets.UTF_8);
            int length = 2 + 8 + 2 + service.length + 2 + op.length + 2 + 2;
            out.writeInt(length);
            out.writeByte(1); // REQUEST
            out.writeByte(0); // no STREAM flag
            out.writeInt(7);
            out.writeInt(30_000);
            out.writeShort(service.length);
            out.write(service);
            out.writeShort(op.length);
            out.write(op);
            out.writeShort(0);
            out.write(new byte[] {(byte) 0x81, 0x03}); // [3]
            out.flush();
            in.readFully(new byte[8]); // the server's preamble
            while (true) {
                int n = in.readInt();
                byte[] frame = new byte[n];
                in.readFully(frame);
                if (frame[0] != 2) {
                    continue; // SETTINGS
                }
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(frame, 2, n - 2);
                assertThat(b.getInt()).isEqualTo(7);
                assertThat(b.get()).isEqualTo((byte) 2); // failure
                assertThat(b.getShort()).isEqualTo((short) Status.OPERATION_NOT_FOUND.code());
                assertThat(b.get() & 1).isEqualTo(1); // unprocessed
                byte[] message = new byte[b.getShort()];
                b.get(message);
                assertThat(new String(message, StandardCharsets.UTF_8)).contains("STREAM flag");
                return;
            }
        }
    }

    /** PROTOCOL.md section 26.6, byte for byte, from a peer written from the document. */
    @Test
    void count_workedExampleFromSpec_itemsThenReply() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").add("feeds", Feeds.class, new FeedsImpl()).start();
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(20_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            var out = socket.getOutputStream();
            out.write(hex("48 52 4D 44 00 01 00 01 00 00 00 08 09 00 00 10 00 00 00 01")); // SETTINGS: STREAMS
            out.write(hex("00 00 00 1C 01 08 00 00 00 01 00 00 75 30 00 05 66 65 65 64 73"
                    + " 00 05 63 6F 75 6E 74 00 00 81 02"));
            out.write(hex("00 00 00 0B 11 00 00 00 00 01 00 00 00 00 0A"));
            out.flush();
            in.readFully(new byte[8]);
            readFrame(in); // SETTINGS
            assertThat(readFrame(in)).isEqualTo("00 00 00 09 10 00 00 00 00 01 00 81 00");
            assertThat(readFrame(in)).isEqualTo("00 00 00 09 10 00 00 00 00 01 00 81 01");
            assertThat(readFrame(in)).isEqualTo("00 00 00 09 02 00 00 00 00 01 00 81 F6");
        }
    }

    private static String readFrame(DataInputStream in) throws java.io.IOException {
        int n = in.readInt();
        byte[] frame = new byte[n];
        in.readFully(frame);
        StringBuilder sb = new StringBuilder(String.format("%02X %02X %02X %02X", n >>> 24, (n >> 16) & 0xFF,
                (n >> 8) & 0xFF, n & 0xFF));
        for (byte b : frame) {
            sb.append(String.format(" %02X", b & 0xFF));
        }
        return sb.toString();
    }

    private static byte[] hex(String s) {
        String[] parts = s.trim().split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    /** A stream of byte arrays, served here only by hand-written peers. */
    @Remote
    public interface Chunks {
        /** {@code n} chunks. */
        Flow.Publisher<byte[]> chunks(int n);
    }

    /**
     * A peer whose second item, a text string, does not decode as the declared {@code byte[]}:
     * the subscriber gets the first item, then a typed error that names the item, and the
     * client's connection serves on. Items this large that are one string, of a type decoded
     * without application code, are decoded on the I/O thread as they arrive; one that fails
     * there is queued as it came, and fails again, in its turn, where other items are decoded.
     */
    @Test
    void client_largeItemThatDoesNotDecode_failsTheStreamAfterTheItemsBeforeIt() throws Exception {
        int size = 20_000; // above StreamIn.DECODED_ON_ARRIVAL
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            servePeer(listener, s -> {
                DataInputStream in = new DataInputStream(s.getInputStream());
                var out = s.getOutputStream();
                out.write(hex("48 52 4D 44 00 01 00 01 00 00 00 08 09 00 00 10 00 00 00 01")); // SETTINGS: STREAMS
                out.flush();
                in.readFully(new byte[8]); // the client's preamble
                int requestId = -1;
                while (true) { // its SETTINGS, its REQUEST, then the CREDIT for the result stream
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    if (frame[0] == 0x01) {
                        requestId = java.nio.ByteBuffer.wrap(frame, 2, 4).getInt();
                    } else if (frame[0] == 0x11) {
                        break;
                    }
                }
                DataOutputStream frames = new DataOutputStream(out);
                for (int major : new int[] {0x59, 0x79}) { // [h'6161...61'], then ["aa...a"]: not a byte[]
                    frames.writeInt(2 + 4 + 1 + 4 + size);
                    frames.write(new byte[] {0x10, 0}); // ITEM
                    frames.writeInt(requestId);
                    frames.writeByte(0); // the result stream
                    frames.write(new byte[] {(byte) 0x81, (byte) major}); // a byte or text string, 2-byte length
                    frames.writeShort(size);
                    frames.write("a".repeat(size).getBytes(StandardCharsets.US_ASCII));
                }
                frames.flush();
            });
            try (Client client = Hermod.client("tcp://127.0.0.1:" + listener.getLocalPort())) {
                TestSubscriber<byte[]> s = new TestSubscriber<>(10);
                client.proxy(Chunks.class, "chunks").chunks(2).subscribe(s);
                Throwable t = s.awaitEnd();
                assertThat(s.items).singleElement()
                        .isEqualTo("a".repeat(size).getBytes(StandardCharsets.US_ASCII));
                assertThat(t).isInstanceOf(MarshalException.class).hasMessageContaining("cannot decode an item");
                assertThat(client.connections()).allSatisfy(c -> assertThat(c.isOpen()).isTrue());
            }
        }
    }

    @Test
    void client_peerThatAnnouncedNoStreams_failsTheStreamAtOnce() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            servePeer(listener, s -> {
                s.getOutputStream().write(new byte[] {'H', 'R', 'M', 'D', 0, 1, 0, 0});
                s.getOutputStream().flush();
            });
            try (Client client = Hermod.client("tcp://127.0.0.1:" + listener.getLocalPort())) {
                TestSubscriber<Integer> s = new TestSubscriber<>(1);
                client.proxy(Feeds.class, "feeds").count(3).subscribe(s);
                Throwable t = s.awaitEnd();
                assertThat(t).isInstanceOf(OperationNotFoundException.class)
                        .hasMessageContaining("does not support streams");
                assertThat(((RpcException) t).isUnprocessed()).isTrue();
            }
        }
    }

    /** What a hand-written peer does once a client connects. */
    private interface PeerScript {
        void run(Socket socket) throws java.io.IOException;
    }

    /**
     * Accepts one connection on a daemon thread, runs {@code script} on it, then reads until the
     * client goes.
     */
    private static void servePeer(ServerSocket listener, PeerScript script) {
        Thread peer = new Thread(() -> {
            try (Socket s = listener.accept()) {
                script.run(s);
                s.getInputStream().readAllBytes(); // until the client goes
            } catch (java.io.IOException e) {
                // the client closed
            }
        });
        peer.setDaemon(true);
        peer.start();
    }
}
