package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: each side announces its maximum frame size in the handshake (PROTOCOL.md section
 * 3.1), and a call whose request or reply would exceed the peer's limit fails alone, with a typed
 * error, while the connection and the calls sharing it go on. Before, the peer took the frame as
 * a protocol error and closed the connection, failing every call on it.
 */
final class FrameLimitTest {
    private static final int SMALL_LIMIT = 64 * 1024;

    @Test
    void request_aboveTheServersLimit_failsAloneUnprocessed_andTheConnectionGoesOn() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").maxFrameSize(SMALL_LIMIT)
                        .add("blobs", Blobs.class, new BlobsImpl()).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Blobs blobs = client.proxy(Blobs.class, "blobs");
            AsyncResult<Object> outstanding = client.invoke("blobs", "slow", 7, 500L);

            MarshalException e = catchThrowableOfType(MarshalException.class, () -> blobs.size(new byte[100 * 1024]));

            assertThat(e).as("a request above the server's announced limit").isNotNull();
            assertThat(e.isUnprocessed()).as("never sent, so certainly not run").isTrue();
            assertThat(e.status()).isEqualTo(Status.MARSHAL);
            assertThat(e.getMessage()).contains("the peer's maximum frame size of " + SMALL_LIMIT + " bytes");
            assertThat(blobs.size(new byte[1000])).isEqualTo(1000);
            assertThat(outstanding.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the call outstanding on the same connection").isEqualTo(7);
        }
    }

    @Test
    void reply_aboveTheClientsLimit_failsAloneWithMarshal_andTheConnectionGoesOn() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").add("blobs", Blobs.class, new BlobsImpl()).start();
                Client client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).maxFrameSize(SMALL_LIMIT)
                        .build()) {
            Blobs blobs = client.proxy(Blobs.class, "blobs");
            AsyncResult<Object> outstanding = client.invoke("blobs", "slow", 8, 500L);

            MarshalException e = catchThrowableOfType(MarshalException.class, () -> blobs.make(100 * 1024));

            assertThat(e).as("a reply above the client's announced limit").isNotNull();
            assertThat(e.isUnprocessed()).as("the operation ran on the server").isFalse();
            assertThat(e.getMessage()).contains("the peer's maximum frame size of " + SMALL_LIMIT + " bytes");
            assertThat(blobs.make(1000)).hasSize(1000);
            assertThat(outstanding.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(8);
        }
    }

    @Test
    void request_aboveOwnLimitButNotThePeers_stillFailsAloneUnprocessed() {
        try (Server server = Hermod.server().host("127.0.0.1").add("blobs", Blobs.class, new BlobsImpl()).start();
                Client client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).maxFrameSize(SMALL_LIMIT)
                        .build()) {
            Blobs blobs = client.proxy(Blobs.class, "blobs");

            MarshalException e = catchThrowableOfType(MarshalException.class, () -> blobs.size(new byte[100 * 1024]));

            assertThat(e).isNotNull();
            assertThat(e.isUnprocessed()).isTrue();
            assertThat(e.getMessage()).contains("the maximum frame size of " + SMALL_LIMIT + " bytes");
            assertThat(blobs.size(new byte[10])).isEqualTo(10);
        }
    }

    @Test
    void batch_splitToThePeersLimit_everyCallRuns() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").maxFrameSize(SMALL_LIMIT)
                        .add("blobs", Blobs.class, new BlobsImpl()).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Blobs blobs = client.proxy(Blobs.class, "blobs");
            blobs.size(new byte[1]); // the connection, and with it the server's settings, is there
            BlobsAsync batch = Hermod.batch(client.proxy(BlobsAsync.class, "blobs"));
            java.util.List<AsyncResult.Throwing<Integer, RuntimeException>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                results.add(batch.size(new byte[20 * 1024]));
            }
            Hermod.flush(batch);
            for (AsyncResult.Throwing<Integer, RuntimeException> r : results) {
                assertThat(r.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(20 * 1024);
            }
        }
    }
}
