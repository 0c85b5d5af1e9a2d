package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, frame compression (PROTOCOL.md section 3.1, COMPRESSION): off by default, on per
 * client, per server or per call. Every call goes through a TCP relay on loopback that counts
 * the bytes each way, so the tests see what travelled, not just that the values arrived.
 */
final class CompressionTest {
    private static final int SIZE = 64 * 1024;
    /** 64 KiB of text that repeats: compresses to a few KiB. */
    private static final byte[] TEXT = text(SIZE);

    private Server server;
    private Relay relay;
    private Client client;

    @AfterEach
    void close() throws IOException {
        if (client != null) {
            client.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Blobs start(Server.Builder serverBuilder, Client.Builder clientBuilder) throws IOException {
        server = serverBuilder.host("127.0.0.1").add("blobs", Blobs.class, new EchoBlobs()).start();
        relay = new Relay(server.port());
        client = clientBuilder.target("tcp://127.0.0.1:" + relay.port()).build();
        Blobs blobs = client.proxy(Blobs.class, "blobs");
        blobs.size(new byte[1]); // the handshake, so that the counts below are the calls'
        relay.reset();
        return blobs;
    }

    @Test
    void defaults_sendPayloadsUncompressed() throws Exception {
        Blobs blobs = start(Hermod.server(), Hermod.client());

        assertThat(blobs.size(TEXT)).isEqualTo(SIZE);
        assertThat(blobs.make(SIZE)).isEqualTo(TEXT);

        assertThat(relay.toServer()).as("request bytes on the wire").isGreaterThan(SIZE);
        assertThat(relay.toClient()).as("reply bytes on the wire").isGreaterThan(SIZE);
    }

    @Test
    void client_compressionOn_compressesRequestsAndAsksForCompressedResults() throws Exception {
        Blobs blobs = start(Hermod.server(), Hermod.client().compression(true));

        assertThat(blobs.size(TEXT)).isEqualTo(SIZE);
        assertThat(blobs.make(SIZE)).isEqualTo(TEXT);

        assertThat(relay.toServer()).as("request bytes on the wire").isLessThan(SIZE / 4);
        assertThat(relay.toClient()).as("reply bytes on the wire").isLessThan(SIZE / 4);
    }

    @Test
    void perCall_overridesTheClientsDefault() throws Exception {
        Blobs blobs = start(Hermod.server(), Hermod.client());
        Blobs compressing = Hermod.withOptions(blobs, o -> o.withCompression(true));

        assertThat(compressing.make(SIZE)).isEqualTo(TEXT);
        assertThat(relay.toClient()).as("a compressed result, asked for by the call").isLessThan(SIZE / 4);

        relay.reset();
        assertThat(Hermod.withOptions(compressing, o -> o.withCompression(false)).size(TEXT)).isEqualTo(SIZE);
        assertThat(relay.toServer()).as("compression turned off again for this call").isGreaterThan(SIZE);
    }

    @Test
    void server_compressionOn_compressesItsResults() throws Exception {
        Blobs blobs = start(Hermod.server().compression(true), Hermod.client());

        assertThat(blobs.make(SIZE)).isEqualTo(TEXT);
        assertThat(blobs.size(TEXT)).isEqualTo(SIZE);

        assertThat(relay.toClient()).as("reply bytes on the wire").isLessThan(SIZE / 4);
        assertThat(relay.toServer()).as("the client's requests stay as they are").isGreaterThan(SIZE);
    }

    @Test
    void incompressiblePayload_travelsAsIs_andArrivesIntact() throws Exception {
        Blobs blobs = start(Hermod.server(), Hermod.client().compression(true));
        byte[] noise = new byte[SIZE];
        new Random(20).nextBytes(noise);

        assertThat(blobs.size(noise)).isEqualTo(SIZE);
        assertThat(blobs.size(new byte[100])).as("too small to be worth it").isEqualTo(100);
        assertThat(relay.toServer()).isGreaterThan(SIZE);
    }

    private static byte[] text(int size) {
        byte[] line = "the quick brown fox jumps over the lazy dog, again and again; ".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = line[i % line.length];
        }
        return out;
    }

    /** Serves {@link Blobs}: {@code make} returns the test's compressible text. */
    static final class EchoBlobs implements Blobs {
        @Override
        public int size(byte[] data) {
            return data.length;
        }

        @Override
        public byte[] make(int size) {
            return text(size);
        }

        @Override
        public int slow(int value, long millis) {
            return value;
        }
    }
}
