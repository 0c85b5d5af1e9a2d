package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.hermod.OnewayTest.Recorder;
import dev.hermod.OnewayTest.RecorderAsync;
import dev.hermod.OnewayTest.RecorderImpl;
import dev.hermod.connection.Connection;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
    void clientFlushBatchesAsync_sendsEveryBatchProxy_andCompletes() throws Exception {
        RecorderAsync a = Hermod.batch(client.proxy(RecorderAsync.class, "recorder"));
        Recorder b = Hermod.batch(client.proxy(Recorder.class, "recorder"));
        a.record(1);
        AsyncResult<Integer> sum = a.add(2, 3);
        b.record(2);
        b.record(3);
        Recorder twoway = client.proxy(Recorder.class, "recorder");
        assertThat(twoway.add(1, 1)).isEqualTo(2);
        assertThat(impl.values).as("nothing sent before the flush").isEmpty();
        assertThat(sum.isDone()).isFalse();

        AsyncResult<Void> flushed = client.flushBatchesAsync();

        assertThat(flushed.toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(sum.value()).isEqualTo(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.size() == 3);
        assertThat(impl.values).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(impl.values.indexOf(2)).as("one proxy's calls in the order queued")
                .isLessThan(impl.values.indexOf(3));
        // The queues are empty now: another flush sends nothing and completes.
        assertThat(client.flushBatchesAsync().toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(twoway.add(2, 2)).isEqualTo(4);
        assertThat(impl.values).hasSize(3);
    }

    @Test
    void connectionFlushBatchesAsync_sendsQueuedCalls_andCompletes() throws Exception {
        Recorder twoway = client.proxy(Recorder.class, "recorder");
        assertThat(twoway.add(1, 1)).isEqualTo(2); // opens the connection
        assertThat(client.connections()).hasSize(1);
        Connection connection = client.connections().get(0);
        RecorderAsync batch = Hermod.batch(client.proxy(RecorderAsync.class, "recorder"));
        for (int i = 0; i < 10; i++) {
            batch.record(i);
        }
        AsyncResult<Integer> sum = batch.add(20, 22);
        assertThat(twoway.add(1, 2)).isEqualTo(3);
        assertThat(impl.values).as("nothing sent before the flush").isEmpty();

        AsyncResult<Void> flushed = connection.flushBatchesAsync();

        assertThat(flushed.toCompletableFuture()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(sum.value()).isEqualTo(42);
        assertThat(sum.isSent()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.size() == 10);
        assertThat(impl.values).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(client.connections()).as("no other connection was opened").hasSize(1);
    }

    /**
     * README: "calls still queued stay queued and go out with the next flush over a new
     * connection". The server really goes away and a new one comes up on the same port.
     */
    @Test
    void batchQueued_connectionLost_staysQueuedAndGoesOutWithNextFlushOverNewConnection() throws Exception {
        int port = server.port();
        Recorder twoway = client.proxy(Recorder.class, "recorder");
        assertThat(twoway.add(1, 1)).isEqualTo(2); // the connection is up
        Connection lost = client.connections().get(0);
        RecorderAsync batch = Hermod.batch(client.proxy(RecorderAsync.class, "recorder"));
        batch.record(1);
        AsyncResult<Integer> sum = batch.add(20, 22);
        batch.record(2);

        server.shutdownNow();
        assertThat(server.awaitTermination(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !lost.isOpen());
        batch.record(3); // queued with no connection at all

        // A flush over the closed connection cannot send them, and does not drop them either.
        assertThat(lost.flushBatchesAsync().toCompletableFuture()).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ConnectionException.class);
        assertThat(sum.isDone()).as("the two-way call is still queued").isFalse();

        RecorderImpl next = new RecorderImpl();
        server = Hermod.server().host("127.0.0.1").port(port).add("recorder", Recorder.class, next).start();
        Hermod.flush(batch);

        assertThat(sum.value()).isEqualTo(42);
        await().atMost(Duration.ofSeconds(10)).until(() -> next.values.size() == 3);
        assertThat(next.values).containsExactly(1, 2, 3);
        assertThat(impl.values).as("the lost connection carried none of them").isEmpty();
        assertThat(client.connections()).singleElement().satisfies(c -> assertThat(c.isOpen()).isTrue());
    }

    @Test
    void flush_queuedCallsTravelInOneBatchFrame() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Client c = Hermod.client("tcp://127.0.0.1:" + raw.getLocalPort())) {
            Recorder batch = Hermod.batch(c.proxy(Recorder.class, "recorder"));
            batch.record(1);
            batch.record(2);
            batch.record(3);
            AsyncResult<Void> flushed = Hermod.flushAsync(batch);
            raw.setSoTimeout(10_000);
            try (Socket s = raw.accept()) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(new byte[] {'H', 'R', 'M', 'D', 0, 1, 0, 0});
                DataInputStream in = new DataInputStream(s.getInputStream());
                in.readFully(new byte[8]); // the client's preamble
                in.readFully(new byte[in.readInt()]); // and its SETTINGS (PROTOCOL.md section 3.1)
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
