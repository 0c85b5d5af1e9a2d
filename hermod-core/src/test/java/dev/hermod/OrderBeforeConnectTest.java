package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.OnewayTest.Recorder;
import dev.hermod.OnewayTest.RecorderAsync;
import dev.hermod.OnewayTest.RecorderImpl;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Oneway calls and batches made before the client's connection is open keep their order: they
 * wait together for it, and leave in the order they were made once it is there.
 */
final class OrderBeforeConnectTest {
    private RecorderImpl impl;
    private Server server;

    @BeforeEach
    void start() {
        impl = new RecorderImpl();
        server = Hermod.server().host("127.0.0.1").add("recorder", Recorder.class, impl).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0} connections")
    @ValueSource(ints = {1, 4})
    void asyncOnewayCalls_madeWhileConnecting_arriveInOrder(int connections) {
        int n = 500;
        try (Client fresh = Hermod.client().target("tcp://127.0.0.1:" + server.port()).connections(connections)
                .build()) {
            RecorderAsync oneway = Hermod.oneway(fresh.proxy(RecorderAsync.class, "recorder"));
            for (int i = 0; i < n; i++) {
                oneway.record(i); // none waits: the first ones are made before the connection opens
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> impl.values.size() == n);
        }
        assertThat(impl.values).isSorted().doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "{0} connections")
    @ValueSource(ints = {1, 4})
    void automaticBatchFlushes_madeWhileConnecting_arriveInOrder(int connections) {
        int n = 2_000;
        try (Client fresh = Hermod.client().target("tcp://127.0.0.1:" + server.port()).connections(connections)
                .batchFlushSize(1_024).build()) {
            Recorder batch = Hermod.batch(fresh.proxy(Recorder.class, "recorder"));
            for (int i = 0; i < n; i++) {
                batch.record(i); // a flush every dozen calls, the first ones before the connection opens
            }
            fresh.flushBatches();
            await().atMost(Duration.ofSeconds(20)).until(() -> impl.values.size() == n);
        }
        assertThat(impl.values).isSorted().doesNotHaveDuplicates();
    }
}
