package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.hermod.OnewayTest.Recorder;
import dev.hermod.OnewayTest.RecorderAsync;
import dev.hermod.OnewayTest.RecorderImpl;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class BatchTest {
    private RecorderImpl impl;
    private Server server;
    private Client client;

    @BeforeEach
    void start() {
        impl = new RecorderImpl();
        server = Hermod.server().host("127.0.0.1").add("recorder", Recorder.class, impl).start();
        client = TestServers.client(server);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void batchOneway_queuedUntilFlush_thenDeliveredInOrder() throws Exception {
        Recorder batch = Hermod.batch(client.proxy(Recorder.class, "recorder"));
        for (int i = 0; i < 500; i++) {
            batch.record(i);
        }
        // Nothing leaves before the flush: a two-way call on the same client gets through first.
        Recorder twoway = client.proxy(Recorder.class, "recorder");
        assertThat(twoway.add(1, 1)).isEqualTo(2);
        assertThat(impl.values).isEmpty();
        Hermod.flush(batch);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.size() == 500);
        assertThat(impl.values).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void asyncBatchOneway_resultCompleteOnceQueued() throws Exception {
        RecorderAsync batch = Hermod.batch(client.proxy(RecorderAsync.class, "recorder"));
        AsyncResult<Void> r = batch.record(1);
        assertThat(r.waitForCompleted(Duration.ofSeconds(5))).isTrue();
        assertThat(r.isSent()).isFalse();
        Hermod.flushAsync(batch).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.equals(List.of(1)));
    }

    @Test
    void batch_overFlushSize_flushesByItself() {
        try (Client small = Hermod.client().target("tcp://127.0.0.1:" + server.port()).batchFlushSize(2_048).build()) {
            Recorder batch = Hermod.batch(small.proxy(Recorder.class, "recorder"));
            for (int i = 0; i < 200; i++) {
                batch.record(i); // about 70 bytes each: several automatic flushes, no explicit one
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.size() >= 150);
            assertThat(impl.values).isSorted();
        }
    }

    @Test
    void twowayCallsInBatch_eachKeepsItsOwnResult() throws Exception {
        RecorderAsync batch = Hermod.batch(client.proxy(RecorderAsync.class, "recorder"));
        List<AsyncResult<Integer>> sums = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sums.add(batch.add(i, 1000));
            batch.record(i);
        }
        assertThat(sums.get(0).isDone()).isFalse();
        Hermod.flush(batch);
        for (int i = 0; i < 50; i++) {
            assertThat(sums.get(i).value()).isEqualTo(i + 1000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.size() == 50);
    }

    @Test
    void syncTwowayOnBatchProxy_failsWithUsageError() {
        Recorder batch = Hermod.batch(client.proxy(Recorder.class, "recorder"));
        assertThatThrownBy(() -> batch.add(1, 2)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("asynchronous form");
        assertThatThrownBy(() -> Hermod.flush(client.proxy(Recorder.class, "recorder")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a batch proxy");
    }

    @Test
    void clientAndConnectionFlush_sendEveryBatchProxy() throws Exception {
        Recorder a = Hermod.batch(client.proxy(Recorder.class, "recorder"));
        Recorder b = Hermod.batch(client.proxy(Recorder.class, "recorder"));
        a.record(1);
        b.record(2);
        client.flushBatches();
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.size() == 2);

        a.record(3);
        assertThat(client.connections()).hasSize(1);
        Connection connection = client.connections().get(0);
        assertThat(connection.isOpen()).isTrue();
        connection.flushBatches();
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.size() == 3);
    }

    @Test
    void flush_queuedCallsTravelInOneBatchFrame() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Client c = Hermod.client("tcp://127.0.0.1:" + raw.getLocalPort())) {
            Recorder batch = Hermod.batch(c.proxy(Recorder.class, "recorder"));
            batch.record(1);
            batch.record(2);
            batch.record(3);
            CompletableFuture<Void> flushed = Hermod.flushAsync(batch);
            raw.setSoTimeout(10_000);
            try (Socket s = raw.accept()) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(new byte[] {'H', 'R', 'M', 'D', 0, 1, 0, 0});
                DataInputStream in = new DataInputStream(s.getInputStream());
                in.readFully(new byte[8]); // the client's preamble
                int length = in.readInt();
                int type = in.readUnsignedByte();
                in.readUnsignedByte();
                int items = in.readInt();
                assertThat(type).as("frame type").isEqualTo(5);
                assertThat(items).isEqualTo(3);
                assertThat(length).isGreaterThan(3 * 20);
                flushed.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void flush_largerThanOneFrame_splitsIntoFramesWithinTheLimit() {
        // Small frames on both ends, and items whose headers (a 100-byte context) weigh more
        // than their arguments: every frame must still fit, and every call arrive in order.
        try (Server small = Hermod.server().host("127.0.0.1").maxFrameSize(1024).add("recorder", Recorder.class, impl)
                        .start();
                Client c = Hermod.client().target("tcp://127.0.0.1:" + small.port()).maxFrameSize(1024).build()) {
            Recorder batch = Hermod.batch(Hermod.withOptions(c.proxy(Recorder.class, "recorder"),
                    o -> o.withContext("padding", "x".repeat(100))));
            for (int i = 0; i < 40; i++) {
                batch.record(i);
            }
            Hermod.flush(batch);
            await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.size() == 40);
            assertThat(impl.values).isSorted();
            assertThat(c.proxy(Recorder.class, "recorder").add(1, 2)).as("the connection survived").isEqualTo(3);
        }
    }

    @Test
    void flush_withoutServer_failsAndTwowayCallsInItFail() {
        try (Client nowhere = Hermod.client("tcp://127.0.0.1:1")) {
            RecorderAsync batch = Hermod.batch(nowhere.proxy(RecorderAsync.class, "recorder"));
            AsyncResult<Integer> sum = batch.add(1, 2);
            batch.record(1);
            assertThatThrownBy(() -> Hermod.flush(batch)).isInstanceOf(ConnectionException.class);
            assertThat(catchThrowableOfType(ConnectionException.class, sum::value).isUnprocessed()).isTrue();
        }
    }
}
