package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.hermod.tools.CompanionOf;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several connections per client, a cap per connection, growth up to a maximum, then waiting. */
final class PoolTest {

    @Remote
    public interface Work {
        int run(int value, long millis);

        /** Blocks until the test releases it. */
        int hold(int value);
    }

    @CompanionOf(Work.class)
    public interface WorkAsync {
        AsyncResult<Integer> run(int value, long millis);

        AsyncResult<Integer> hold(int value);
    }

    static final class WorkImpl implements Work {
        final Set<SocketAddress> peers = ConcurrentHashMap.newKeySet();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public int run(int value, long millis) {
            peers.add(Current.get().peer());
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
            return value;
        }

        @Override
        public int hold(int value) {
            peers.add(Current.get().peer());
            running.incrementAndGet();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
            }
            return value;
        }
    }

    private final WorkImpl impl = new WorkImpl();
    private Server server;
    private Client client;
    private ExecutorService servants;

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").add("work", Work.class, impl).start();
    }

    @AfterEach
    void stop() {
        impl.release.countDown();
        if (client != null) {
            client.close();
        }
        server.close();
        if (servants != null) {
            servants.shutdownNow();
        }
    }

    private Client.Builder builder() {
        return Hermod.client().target("tcp://127.0.0.1:" + server.port());
    }

    private List<AsyncResult<Integer>> fire(int n, long millis) {
        WorkAsync work = client.proxy(WorkAsync.class, "work");
        List<AsyncResult<Integer>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(work.run(i, millis));
        }
        return results;
    }

    private static void assertAllReturnTheirValue(List<AsyncResult<Integer>> results) throws Exception {
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).value()).isEqualTo(i);
        }
    }

    @Test
    void connections_spreadCallsOverSeveral() throws Exception {
        client = builder().connections(3).build();
        assertAllReturnTheirValue(fire(30, 50));
        assertThat(client.connections()).hasSize(3);
        assertThat(impl.peers).hasSize(3);
    }

    @Test
    void capPerConnection_limitsOutstandingCalls() throws Exception {
        client = builder().maxOutstandingPerConnection(2).maxConnections(1).build();
        assertAllReturnTheirValue(fire(12, 30));
        assertThat(impl.maxRunning.get()).isBetween(1, 2);
        assertThat(client.connections()).hasSize(1);
    }

    @Test
    void allAtCap_poolGrowsToMaximum_thenCallsWait() throws Exception {
        client = builder().maxOutstandingPerConnection(2).maxConnections(3).build();
        assertAllReturnTheirValue(fire(20, 50));
        assertThat(impl.peers).hasSize(3);
        assertThat(impl.maxRunning.get()).isBetween(3, 6);
    }

    @Test
    void waitingCall_stillBoundedByItsDeadline() throws Exception {
        client = builder().maxOutstandingPerConnection(1).maxConnections(1).build();
        WorkAsync work = client.proxy(WorkAsync.class, "work");
        AsyncResult<Integer> slow = work.run(1, 1_000);
        AsyncResult<Integer> waiting = Hermod.withOptions(work, o -> o.withTimeout(Duration.ofMillis(200))).run(2, 0);
        InvocationTimeoutException e = catchThrowableOfType(InvocationTimeoutException.class, waiting::value);
        assertThat(e.isUnprocessed()).as("it never left the client").isTrue();
        assertThat(slow.value()).isEqualTo(1);
        assertThat(work.run(3, 0).value()).isEqualTo(3);
    }

    @Test
    void shutdown_withCallsWaitingForASlot_letsThemAllFinish() throws Exception {
        client = builder().maxOutstandingPerConnection(1).maxConnections(1).build();
        List<AsyncResult<Integer>> results = fire(5, 50);
        client.shutdown();
        assertAllReturnTheirValue(results);
        assertThat(client.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void defaults_noCapPerConnection_allCallsOutstandingAtOnceOnOneConnection() throws Exception {
        // The server gets a thread per call: the default pool (64 threads on JDK 17) would cap
        // the calls running at once on the server side, and this test is about the client's side.
        ExecutorService servants = Executors.newCachedThreadPool();
        try (Server roomy = Hermod.server().host("127.0.0.1").executor(servants).add("work", Work.class, impl)
                .start()) {
            client = Hermod.client("tcp://127.0.0.1:" + roomy.port());
            WorkAsync work = client.proxy(WorkAsync.class, "work");
            List<AsyncResult<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                results.add(work.hold(i));
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> impl.running.get() == 100);
            assertThat(client.connections()).hasSize(1);
            assertThat(client.connections().get(0).outstandingCalls()).isEqualTo(100);
            assertThat(impl.peers).hasSize(1);
            assertThat(results).noneMatch(AsyncResult::isDone);

            impl.release.countDown();
            assertAllReturnTheirValue(results);
        } finally {
            impl.release.countDown();
            servants.shutdownNow();
        }
    }

    /** Serves on a thread per call, so that every held call runs at once: the pool's side is under test. */
    private void serveEveryCallAtOnce() {
        servants = Executors.newCachedThreadPool();
        server.close();
        server = Hermod.server().host("127.0.0.1").executor(servants).add("work", Work.class, impl).start();
    }

    /** Starts {@code n} held calls, returning values {@code from}, {@code from + 1}, and so on. */
    private List<AsyncResult<Integer>> hold(int from, int n) {
        WorkAsync work = client.proxy(WorkAsync.class, "work");
        List<AsyncResult<Integer>> results = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            results.add(work.hold(i));
        }
        return results;
    }

    @Test
    void busyConnection_poolGrowsInTheBackground_andNoCallWaitsForIt() throws Exception {
        serveEveryCallAtOnce();
        client = builder().adaptivePool(10, Duration.ZERO).build();
        List<AsyncResult<Integer>> results = hold(0, 40);

        // Every call reaches the servant while held: none waited in line for a new connection.
        await().atMost(Duration.ofSeconds(30)).until(() -> impl.running.get() == 40);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.connections().size() >= 2);
        results.addAll(hold(40, 10)); // the least loaded connection now is a new one
        await().atMost(Duration.ofSeconds(30)).until(() -> impl.running.get() == 50);
        assertThat(client.connections()).hasSizeBetween(2, 4);
        assertThat(impl.peers).hasSizeBetween(2, 4);

        impl.release.countDown();
        assertAllReturnTheirValue(results);
    }

    @Test
    void extraConnections_closeAfterTheQuietPeriod_theFirstStays() throws Exception {
        serveEveryCallAtOnce();
        client = builder().adaptivePool(10, Duration.ofSeconds(1)).build();
        List<AsyncResult<Integer>> results = hold(0, 40);
        await().atMost(Duration.ofSeconds(30)).until(() -> impl.running.get() == 40);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.connections().size() >= 2);

        impl.release.countDown();
        assertAllReturnTheirValue(results);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.connections().size() == 1);
        WorkAsync work = client.proxy(WorkAsync.class, "work");
        assertThat(work.run(7, 0).value()).isEqualTo(7);
        assertThat(client.connections()).hasSize(1);
    }

    @Test
    void maxConnectionsAtConnections_keepsThePoolFixed() throws Exception {
        serveEveryCallAtOnce();
        client = builder().adaptivePool(10, Duration.ZERO).maxConnections(1).build();
        List<AsyncResult<Integer>> results = hold(0, 40);
        await().atMost(Duration.ofSeconds(30)).until(() -> impl.running.get() == 40);
        assertThat(client.connections()).hasSize(1);
        assertThat(impl.peers).hasSize(1);

        impl.release.countDown();
        assertAllReturnTheirValue(results);
    }

    @Test
    void builder_maxBelowConnections_rejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder().connections(3).maxConnections(2).build())
                .isInstanceOf(IllegalStateException.class);
    }
}
