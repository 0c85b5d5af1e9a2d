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
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * Keeps starting held calls, one every 5 ms, until the client has {@code n} connections: the
     * pool grows for a connection that stays busy, not for a moment's burst.
     */
    private void holdUntilConnections(List<AsyncResult<Integer>> results, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (client.connections().size() < n) {
            assertThat(System.nanoTime() - deadline).as("the pool grew within 30 s").isNegative();
            results.addAll(hold(results.size(), 1));
            Thread.sleep(5);
        }
    }

    @Test
    void busyConnection_poolGrowsInTheBackground_andNoCallWaitsForIt() throws Exception {
        serveEveryCallAtOnce();
        client = builder().adaptivePool(10, Duration.ZERO).build();
        List<AsyncResult<Integer>> results = hold(0, 40);
        await().atMost(Duration.ofSeconds(30)).until(() -> impl.running.get() == 40);
        assertThat(client.connections()).as("a burst does not make the pool grow").hasSize(1);

        holdUntilConnections(results, 2);
        results.addAll(hold(results.size(), 10)); // the least loaded connection now is a new one
        // Every call reaches the servant while held: none waited in line for a new connection.
        await().atMost(Duration.ofSeconds(30)).until(() -> impl.running.get() == results.size());
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
        holdUntilConnections(results, 2);

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
        for (int i = 0; i < 60; i++) { // busy for 300 ms: three growth windows
            results.addAll(hold(results.size(), 1));
            Thread.sleep(5);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> impl.running.get() == results.size());
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

    /**
     * A servant whose calls each take a lock for a millisecond, as a shared resource on the
     * server would: however many connections, one call runs at a time.
     */
    static final class LockedWork implements Work {
        final Set<SocketAddress> peers = ConcurrentHashMap.newKeySet();

        @Override
        public synchronized int run(int value, long millis) {
            peers.add(Current.get().peer());
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return value;
        }

        @Override
        public int hold(int value) {
            return value;
        }
    }

    /** Keeps {@code window} calls of {@code millis} in flight from a thread of its own until closed. */
    private static final class Load implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Load(Client client, int window, long millis) {
            WorkAsync work = client.proxy(WorkAsync.class, "work");
            Semaphore slots = new Semaphore(window);
            thread = new Thread(() -> {
                try {
                    for (int i = 0; !stop; i++) {
                        if (slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            int value = i;
                            work.run(value, millis).onComplete((v, t) -> {
                                if (t != null || v != value) {
                                    failure.compareAndSet(null, t != null ? t : new AssertionError(v + " for " + value));
                                }
                                slots.release();
                            });
                        }
                    }
                    if (!slots.tryAcquire(window, 30, TimeUnit.SECONDS)) {
                        failure.compareAndSet(null, new AssertionError("calls still outstanding after 30 s"));
                    }
                } catch (InterruptedException e) {
                    failure.compareAndSet(null, e);
                }
            }, "pool-test-load");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(60_000);
            assertThat(thread.isAlive()).isFalse();
            assertThat(failure.get()).as("every call returned its value").isNull();
        }
    }

    @Test
    void connectionThatLetsMoreCallsRun_isKept() throws Exception {
        // The server runs each connection's calls one after another on its I/O thread, one
        // thread per connection: a second connection doubles the calls completed.
        server.close();
        server = Hermod.server().host("127.0.0.1").ioThreads(2).directExecutor().add("work", Work.class, impl).start();
        client = builder().adaptivePool(5, Duration.ZERO).maxConnections(2).build();
        try (Load load = new Load(client, 30, 1)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> client.connections().size() == 2);
            // Its trial lasts 1.2 s; given back, it would not come back for 5 s.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                    .until(() -> client.connections().size() == 2);
        }
        assertThat(impl.peers).hasSize(2);
    }

    @Test
    void connectionThatDoesNotLetMoreCallsRun_isGivenBack() throws Exception {
        LockedWork locked = new LockedWork();
        server.close();
        server = Hermod.server().host("127.0.0.1").ioThreads(2).directExecutor().add("work", Work.class, locked).start();
        client = builder().adaptivePool(5, Duration.ZERO).maxConnections(2).build();
        try (Load load = new Load(client, 30, 1)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> client.connections().size() == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.connections().size() == 1);
            // Busy all along, but the pool keeps its size for 5 s after a connection given back.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                    .until(() -> client.connections().size() == 1);
        }
        assertThat(locked.peers).as("the trial connection carried calls").hasSize(2);
    }
}
