package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client flooding a slow server: bounded queues, nothing lost, sent callbacks in order. */
final class FlowControlTest {

    @Remote
    public interface Sink {
        /** Blocks until the test opens the gate. */
        void absorb(int sequence, byte[] data);

        /** Takes a few milliseconds. */
        void slow(int sequence);

        int received();
    }

    @CompanionOf(Sink.class)
    public interface SinkAsync {
        AsyncResult<Void> absorb(int sequence, byte[] data);

        AsyncResult<Void> slow(int sequence);
    }

    static final class SinkImpl implements Sink {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();

        @Override
        public void absorb(int sequence, byte[] data) {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            received.incrementAndGet();
        }

        @Override
        public void slow(int sequence) {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            received.incrementAndGet();
        }

        @Override
        public int received() {
            return received.get();
        }
    }

    private final SinkImpl impl = new SinkImpl();
    private Server server;
    private Client client;

    @AfterEach
    void stop() {
        impl.gate.countDown();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void floodingClient_slowServer_queueBoundedAndNothingAcceptedIsLost() throws Exception {
        server = Hermod.server().host("127.0.0.1").maxInFlightPerConnection(4)
                .add("sink", Sink.class, impl).start();
        long limit = 1024 * 1024;
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).maxQueuedBytes(limit).build();
        SinkAsync sink = client.proxy(SinkAsync.class, "sink");
        assertThat(client.proxy(Sink.class, "sink").received()).isZero(); // the connection is up
        byte[] chunk = new byte[32 * 1024];

        List<AsyncResult<Void>> accepted = new ArrayList<>();
        List<Integer> sentOrder = new CopyOnWriteArrayList<>();
        AtomicInteger sentCount = new AtomicInteger();
        RpcException refused = null;
        long maxQueued = 0;
        for (int i = 0; i < 5_000 && refused == null; i++) {
            int sequence = i;
            AsyncResult<Void> r = sink.absorb(i, chunk);
            if (r.isDone() && r.error().orElse(null) instanceof RpcException e
                    && e.status() == Status.RESOURCE_EXHAUSTED) {
                refused = e;
                break;
            }
            // A request written within its call runs its sent callback right there (as in Ice);
            // the order that matters is that of the requests that had to wait.
            r.onSent(sync -> {
                if (!sync) {
                    sentOrder.add(sequence);
                }
                sentCount.incrementAndGet();
            });
            accepted.add(r);
            maxQueued = Math.max(maxQueued, client.connections().get(0).queuedBytes());
        }
        assertThat(refused).as("the flood meets the limit").isNotNull();
        assertThat(refused.isUnprocessed()).isTrue();
        assertThat(refused).hasMessageContaining("limit " + limit);
        assertThat(maxQueued).isLessThanOrEqualTo(limit);

        impl.gate.countDown(); // the server catches up
        for (AsyncResult<Void> r : accepted) {
            assertThat(r.waitForCompleted(Duration.ofSeconds(60))).isTrue();
            assertThat(r.error()).isEmpty();
        }
        assertThat(impl.received.get()).isEqualTo(accepted.size());
        await().atMost(Duration.ofSeconds(10)).until(() -> sentCount.get() == accepted.size());
        assertThat(sentOrder).as("some requests waited for the network").isNotEmpty();
        assertThat(sentOrder).as("sent callbacks in the order the requests were written").isSorted();
        assertThat(client.connections().get(0).queuedBytes()).isZero();
    }

    @Test
    void window_keepsAtMostNInFlight_andAllComplete() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("sink", Sink.class, impl).start();
        client = TestServers.client(server);
        SinkAsync sink = client.proxy(SinkAsync.class, "sink");
        Window window = Window.of(4);
        for (int i = 0; i < 200; i++) {
            int sequence = i;
            window.submit(() -> sink.slow(sequence));
            assertThat(window.inFlight()).isLessThanOrEqualTo(4);
        }
        window.awaitAll(Duration.ofSeconds(30));
        assertThat(impl.received.get()).isEqualTo(200);
        assertThat(impl.maxRunning.get()).isBetween(1, 4);
        assertThat(window.failure()).isEmpty();
    }

    @Test
    void window_failure_rethrownByAwaitAll() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl()).start();
        client = TestServers.client(server);
        EmployeesAsync employees = client.proxy(EmployeesAsync.class, "employees");
        Window window = Window.of(2);
        window.submit(() -> employees.getName(1));
        window.submit(() -> employees.getName(404));
        window.submit(() -> employees.getName(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> window.awaitAll(Duration.ofSeconds(10)))
                .isInstanceOf(NoSuchEmployee.class);
    }
}
