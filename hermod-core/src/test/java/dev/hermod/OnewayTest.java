package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class OnewayTest {

    @Remote
    public interface Recorder {
        void record(int value);

        List<Integer> recorded();

        void boom();

        int add(int a, int b);

        /** Records the value, then throws: a void operation that declares an exception. */
        void reject(int value) throws NoSuchEmployee;
    }

    @CompanionOf(Recorder.class)
    public interface RecorderAsync {
        AsyncResult<Void> record(int value);

        AsyncResult<Integer> add(int a, int b);

        AsyncResult<Void> reject(int value);
    }

    static final class RecorderImpl implements Recorder {
        final List<Integer> values = new CopyOnWriteArrayList<>();

        @Override
        public void record(int value) {
            values.add(value);
        }

        @Override
        public List<Integer> recorded() {
            return List.copyOf(values);
        }

        @Override
        public void boom() {
            throw new IllegalStateException("nobody will see this");
        }

        @Override
        public int add(int a, int b) {
            return a + b;
        }

        @Override
        public void reject(int value) throws NoSuchEmployee {
            values.add(value);
            throw new NoSuchEmployee(value);
        }
    }

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
    void onewayCall_operationWithResult_failsAtOnceWithUsageError() {
        Recorder oneway = Hermod.oneway(client.proxy(Recorder.class, "recorder"));
        assertThatThrownBy(() -> oneway.add(1, 2))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Recorder.add")
                .hasMessageContaining("cannot be called on a oneway proxy");
        RecorderAsync onewayAsync = Hermod.oneway(client.proxy(RecorderAsync.class, "recorder"));
        assertThatThrownBy(() -> onewayAsync.add(1, 2)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(oneway.toString()).contains("oneway proxy");
    }

    @Test
    void onewayCall_voidOperationDeclaringException_failsAtOnceWithUsageError() {
        Recorder oneway = Hermod.oneway(client.proxy(Recorder.class, "recorder"));
        assertThatThrownBy(() -> oneway.reject(1))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Recorder.reject")
                .hasMessageContaining("cannot be called on a oneway proxy");
        RecorderAsync onewayAsync = Hermod.oneway(client.proxy(RecorderAsync.class, "recorder"));
        assertThatThrownBy(() -> onewayAsync.reject(2))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("RecorderAsync.reject");
        // Neither was sent: the same operation on a two-way proxy, on the same connection, is the
        // only one the servant sees, and its exception comes back.
        Recorder twoway = client.proxy(Recorder.class, "recorder");
        assertThatThrownBy(() -> twoway.reject(3)).isInstanceOf(NoSuchEmployee.class);
        assertThat(impl.values).containsExactly(3);
    }

    @Test
    void onewayCalls_fromOneCaller_arriveInOrderSent() {
        Recorder oneway = Hermod.oneway(client.proxy(Recorder.class, "recorder"));
        for (int i = 0; i < 2_000; i++) {
            oneway.record(i);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> impl.values.size() == 2_000);
        assertThat(impl.values).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void onewayCalls_overAPoolOfConnections_stillArriveInOrderSent() throws Exception {
        try (Client pooled = Hermod.client().target("tcp://127.0.0.1:" + server.port()).connections(4).build()) {
            RecorderAsync twoway = pooled.proxy(RecorderAsync.class, "recorder");
            Recorder oneway = Hermod.oneway(pooled.proxy(Recorder.class, "recorder"));
            List<AsyncResult<Integer>> load = new java.util.ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                load.add(twoway.add(i, i)); // spreads two-way calls, and opens the pool
                oneway.record(i);
            }
            AsyncResult.all(load).get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(pooled.connections()).hasSize(4);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> impl.values.size() == 2_000);
        assertThat(impl.values).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void asyncOneway_completesWhenHandedToTransport() throws Exception {
        RecorderAsync oneway = Hermod.oneway(client.proxy(RecorderAsync.class, "recorder"));
        AsyncResult<Void> r = oneway.record(42);
        assertThat(r.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        assertThat(r.isSent()).isTrue();
        assertThat(r.value()).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.contains(42));
    }

    @Test
    void onewayFailures_stayOnServer_andConnectionKeepsWorking() {
        Recorder oneway = Hermod.oneway(client.proxy(Recorder.class, "recorder"));
        oneway.boom(); // the servant throws: logged on the server, nothing comes back
        Hermod.oneway(client.proxy(Recorder.class, "nobody")).record(1); // unknown service: dropped
        Recorder twoway = client.proxy(Recorder.class, "recorder");
        assertThat(twoway.add(2, 3)).isEqualTo(5);
        oneway.record(7);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.values.equals(List.of(7)));
    }
}
