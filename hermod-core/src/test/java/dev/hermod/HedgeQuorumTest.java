package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AsyncResult#hedge} and {@link AsyncResult#quorum} over TCP on loopback, on one
 * connection and across two servers: when attempts reach the servers, which answer wins, and that
 * the losers are canceled on their servers (their servants see {@link Current#isCanceled()}).
 */
final class HedgeQuorumTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A replicated store: reads are idempotent, writes are not. */
    @Remote
    public interface Replica {
        /**
         * {@code name:key} at once; for a key starting with {@code hold}, waits until canceled;
         * with {@code gate}, until the test opens the gate; with {@code missing}, fails.
         */
        @Idempotent
        String read(String key) throws NoSuchEmployee;

        String write(String key);

        @Idempotent
        void touch(String key);
    }

    /** The asynchronous face of {@link Replica}. */
    @CompanionOf(Replica.class)
    public interface ReplicaAsync {
        AsyncResult<String> read(String key);

        AsyncResult<String> write(String key);

        AsyncResult<Void> touch(String key);
    }

    /** Records what reaches it, and which held calls saw their cancellation. */
    static final class ReplicaImpl implements Replica {
        final String name;
        final List<String> arrived = new CopyOnWriteArrayList<>();
        final Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
        final List<String> canceled = new CopyOnWriteArrayList<>();
        final Map<String, CompletableFuture<Void>> gates = new ConcurrentHashMap<>();

        ReplicaImpl(String name) {
            this.name = name;
        }

        @Override
        public String read(String key) throws NoSuchEmployee {
            arrivedAt.put(key, System.nanoTime());
            arrived.add(key);
            if (key.startsWith("missing")) {
                throw new NoSuchEmployee(name + " has no " + key);
            }
            if (key.startsWith("gate")) {
                gate(key).orTimeout(30, TimeUnit.SECONDS).join();
            } else if (key.startsWith("hold")) {
                Current current = Current.get();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < end) {
                    if (current.isCanceled()) {
                        canceled.add(key);
                        return "canceled";
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        canceled.add(key);
                        return "interrupted";
                    }
                }
            }
            return name + ":" + key;
        }

        @Override
        public String write(String key) {
            arrived.add(key);
            return name + " wrote " + key;
        }

        @Override
        public void touch(String key) {
            arrived.add(key);
        }

        CompletableFuture<Void> gate(String key) {
            return gates.computeIfAbsent(key, k -> new CompletableFuture<>());
        }
    }

    private ReplicaImpl implA;
    private ReplicaImpl implB;
    private Server serverA;
    private Server serverB;
    private Client clientA;
    private Client clientB;
    private Client dead;
    private ReplicaAsync a;
    private ReplicaAsync b;
    private ReplicaAsync nowhere;

    @BeforeEach
    void start() {
        implA = new ReplicaImpl("A");
        implB = new ReplicaImpl("B");
        serverA = Hermod.server().host("127.0.0.1").add("replica", Replica.class, implA).start();
        serverB = Hermod.server().host("127.0.0.1").add("replica", Replica.class, implB).start();
        clientA = TestServers.client(serverA);
        clientB = TestServers.client(serverB);
        a = clientA.proxy(ReplicaAsync.class, "replica");
        b = clientB.proxy(ReplicaAsync.class, "replica");
        Server gone = Hermod.server().host("127.0.0.1").add("replica", Replica.class, new ReplicaImpl("gone")).start();
        int port = gone.port();
        gone.close();
        dead = Hermod.client("tcp://127.0.0.1:" + port);
        nowhere = dead.proxy(ReplicaAsync.class, "replica");
    }

    @AfterEach
    void stop() {
        for (ReplicaImpl impl : List.of(implA, implB)) {
            impl.gates.values().forEach(g -> g.complete(null));
        }
        dead.close();
        clientA.close();
        clientB.close();
        serverA.close();
        serverB.close();
    }

    /** Makes the attempts in turn, and keeps them. */
    private static Supplier<AsyncResult<String>> attempts(List<AsyncResult<String>> made,
            List<Supplier<AsyncResult<String>>> each) {
        AtomicInteger next = new AtomicInteger();
        return () -> {
            AsyncResult<String> r = each.get(next.getAndIncrement()).get();
            made.add(r);
            return r;
        };
    }

    /**
     * Makes a call that holds on the server, and returns once its servant runs: a cancel that
     * reached the server before would keep it from running at all, and the servant, which records
     * the cancels it sees, would see none (seen in CI on a loaded machine).
     */
    private static AsyncResult<String> running(ReplicaAsync replica, ReplicaImpl impl, String key) {
        AsyncResult<String> r = replica.read(key);
        await().atMost(WAIT).until(() -> impl.arrived.contains(key));
        return r;
    }

    // ---- hedge ----

    @Test
    void hedge_firstUnanswered_sendsSecondAfterDelayOnSameConnectionAndCancelsFirstOnServer() throws Exception {
        List<AsyncResult<String>> made = new CopyOnWriteArrayList<>();
        Duration delay = Duration.ofMillis(200);
        long before = System.nanoTime();
        CompletableFuture<String> hedged = AsyncResult.hedge(delay, 2,
                attempts(made, List.of(() -> running(a, implA, "hold-1"), () -> a.read("fast-1"))));

        assertThat(hedged.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("A:fast-1");
        assertThat(implA.arrived).containsExactly("hold-1", "fast-1");
        assertThat(implA.arrivedAt.get("fast-1") - before)
                .as("the second attempt reached the server only after the delay")
                .isGreaterThanOrEqualTo(delay.toNanos());
        assertThat(made.get(1).connection()).isEqualTo(made.get(0).connection());
        await().atMost(WAIT).until(() -> implA.canceled.contains("hold-1"));
        assertThat(made.get(0).isCancelled()).isTrue();
    }

    @Test
    void hedge_acrossTwoServers_firstAnswerWinsAndLoserIsCanceledOnItsServer() throws Exception {
        List<AsyncResult<String>> made = new CopyOnWriteArrayList<>();
        CompletableFuture<String> hedged = AsyncResult.hedge(Duration.ofMillis(100), 2,
                attempts(made, List.of(() -> running(a, implA, "hold-2"), () -> b.read("fast-2"))));

        assertThat(hedged.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("B:fast-2");
        await().atMost(WAIT).until(() -> implA.canceled.contains("hold-2"));
        assertThat(implB.arrived).containsExactly("fast-2");
        assertThat(made.get(0).remoteAddress()).isNotEqualTo(made.get(1).remoteAddress());
    }

    @Test
    void hedge_answeredWithinDelay_sendsNoSecondAttempt() throws Exception {
        assertThat(a.read("warm-3").get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("A:warm-3"); // connected
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> hedged = AsyncResult.hedge(Duration.ofSeconds(1), 3, () -> {
            calls.incrementAndGet();
            return a.read("fast-3");
        });

        assertThat(hedged.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("A:fast-3");
        await().during(Duration.ofMillis(1500)).atMost(WAIT)
                .until(() -> calls.get() == 1 && implA.arrived.equals(List.of("warm-3", "fast-3")));
    }

    @Test
    void hedge_attemptWithoutAnswer_sendsNextAtOnceWithoutWaitingForDelay() throws Exception {
        List<AsyncResult<String>> made = new CopyOnWriteArrayList<>();
        CompletableFuture<String> hedged = AsyncResult.hedge(Duration.ofHours(1), 2,
                attempts(made, List.of(() -> nowhere.read("fast-4"), () -> b.read("fast-4"))));

        assertThat(hedged.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("B:fast-4");
        assertThat(made.get(0).error()).containsInstanceOf(ConnectionException.class);
    }

    @Test
    void hedge_everyAttemptWithoutAnswer_failsWithLastFailure() {
        List<AsyncResult<String>> made = new CopyOnWriteArrayList<>();
        CompletableFuture<String> hedged = AsyncResult.hedge(Duration.ofHours(1), 2,
                attempts(made, List.of(() -> nowhere.read("x"), () -> nowhere.read("y"))));

        assertThatThrownBy(() -> hedged.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConnectionException.class)
                .isSameAs(made.get(1).error().orElseThrow());
    }

    @Test
    void hedge_servantAnswersWithDeclaredException_failsWithItAndSendsNoSecond() {
        AtomicInteger calls = new AtomicInteger();
        // A long delay: only a failure taken for "no answer" would bring a second attempt.
        CompletableFuture<String> hedged = AsyncResult.hedge(Duration.ofHours(1), 2, () -> {
            calls.incrementAndGet();
            return a.read("missing-5");
        });

        assertThatThrownBy(() -> hedged.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NoSuchEmployee.class).hasMessage("A has no missing-5");
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> calls.get() == 1);
    }

    @Test
    void hedge_notIdempotent_refusedAndAttemptCanceled() {
        List<AsyncResult<String>> made = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> AsyncResult.hedge(Duration.ofMillis(100), 2,
                attempts(made, List.of(() -> a.write("w-6")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("write on service 'replica'")
                .hasMessageContaining("not @Idempotent")
                .hasMessageEndingWith("(for method ReplicaAsync.write)");
        assertThat(made.get(0).isCancelled()).isTrue();
    }

    @Test
    void hedge_oneway_refused() {
        ReplicaAsync oneway = Hermod.oneway(a);

        assertThatThrownBy(() -> AsyncResult.hedge(Duration.ofMillis(100), 2, () -> oneway.touch("t-6")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("touch on service 'replica': a oneway or batched call has no answer");
    }

    @Test
    void hedge_laterAttemptNotIdempotent_failsAndCancelsFirstOnServer() {
        CompletableFuture<String> hedged = AsyncResult.hedge(Duration.ofMillis(100), 2,
                attempts(new CopyOnWriteArrayList<>(), List.of(() -> running(a, implA, "hold-7"), () -> b.write("w-7"))));

        assertThatThrownBy(() -> hedged.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not @Idempotent");
        await().atMost(WAIT).until(() -> implA.canceled.contains("hold-7"));
    }

    @Test
    void hedge_sameResultTwice_refusedAndCanceledOnServer() {
        AsyncResult<String> once = running(a, implA, "hold-8");
        CompletableFuture<String> hedged = AsyncResult.hedge(Duration.ofMillis(50), 2, () -> once);

        assertThatThrownBy(() -> hedged.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("each attempt must be a new call");
        await().atMost(WAIT).until(() -> implA.canceled.contains("hold-8"));
    }

    @Test
    void hedge_badArguments_refusedBeforeAnyAttempt() {
        AtomicInteger calls = new AtomicInteger();
        Supplier<AsyncResult<String>> attempt = () -> {
            calls.incrementAndGet();
            return a.read("fast-9");
        };

        assertThatThrownBy(() -> AsyncResult.hedge(Duration.ZERO, 2, attempt))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay must be positive");
        assertThatThrownBy(() -> AsyncResult.hedge(Duration.ofMillis(-1), 2, attempt))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AsyncResult.hedge(Duration.ofMillis(10), 1, attempt))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 attempts");
        assertThat(calls).hasValue(0);
    }

    @Test
    void hedge_canceled_cancelsAttemptsOnTheirServers() {
        CompletableFuture<String> hedged = AsyncResult.hedge(Duration.ofMillis(50), 2,
                attempts(new CopyOnWriteArrayList<>(), List.of(() -> a.read("hold-10a"), () -> b.read("hold-10b"))));
        await().atMost(WAIT).until(() -> implA.arrived.contains("hold-10a") && implB.arrived.contains("hold-10b"));

        assertThat(hedged.cancel(true)).isTrue();

        await().atMost(WAIT).until(() -> implA.canceled.contains("hold-10a") && implB.canceled.contains("hold-10b"));
    }

    // ---- quorum ----

    @Test
    void quorum_kOfN_completesAtKInArrivalOrderAndCancelsTheRestOnTheirServers() throws Exception {
        AsyncResult<String> holdA = a.read("hold-q1a");
        AsyncResult<String> holdB = b.read("hold-q1b");
        await().atMost(WAIT).until(() -> implA.arrived.contains("hold-q1a") && implB.arrived.contains("hold-q1b"));
        AsyncResult<String> gateA = a.read("gate-q1a");
        AsyncResult<String> gateB = b.read("gate-q1b");
        AsyncResult<String> gateA2 = a.read("gate-q1c");

        CompletableFuture<List<String>> quorum = AsyncResult.quorum(2, List.of(gateA, holdA, gateB, holdB, gateA2));
        implB.gate("gate-q1b").complete(null);
        gateB.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(quorum).isNotDone();
        implA.gate("gate-q1a").complete(null);

        assertThat(quorum.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly("B:gate-q1b", "A:gate-q1a");
        await().atMost(WAIT).until(() -> implA.canceled.contains("hold-q1a") && implB.canceled.contains("hold-q1b"));
        assertThat(gateA2.isCancelled()).isTrue();
    }

    @Test
    void quorum_unreachable_failsAtOnceWithTheFailuresAndCancelsTheRestOnTheirServers() {
        AsyncResult<String> holdA = a.read("hold-q2a");
        AsyncResult<String> holdB = b.read("hold-q2b");
        await().atMost(WAIT).until(() -> implA.arrived.contains("hold-q2a") && implB.arrived.contains("hold-q2b"));
        AsyncResult<String> missingA = a.read("missing-q2a");
        AsyncResult<String> missingB = b.read("missing-q2b");

        CompletableFuture<List<String>> quorum = AsyncResult.quorum(3, List.of(holdA, missingA, holdB, missingB));

        assertThatThrownBy(() -> quorum.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(QuorumException.class, q -> {
                    assertThat(q.required()).isEqualTo(3);
                    assertThat(q.total()).isEqualTo(4);
                    assertThat(q.failures()).hasSize(2).allMatch(f -> f instanceof NoSuchEmployee);
                    assertThat(q.failures()).extracting(Throwable::getMessage)
                            .containsExactlyInAnyOrder("A has no missing-q2a", "B has no missing-q2b");
                    assertThat(q.getCause()).isSameAs(q.failures().get(0));
                    assertThat(q.getSuppressed()).containsExactly(q.failures().get(1));
                    assertThat(q.status()).isEqualTo(Status.UNKNOWN);
                    assertThat(q.isUnprocessed()).isFalse();
                });
        await().atMost(WAIT).until(() -> implA.canceled.contains("hold-q2a") && implB.canceled.contains("hold-q2b"));
    }

    @Test
    void quorum_allUnavailable_failsWithTheirStatus() {
        CompletableFuture<List<String>> quorum = AsyncResult.quorum(1,
                List.of(nowhere.read("x"), nowhere.read("y")));

        assertThatThrownBy(() -> quorum.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(QuorumException.class, q -> {
                    assertThat(q.status()).isEqualTo(Status.UNAVAILABLE);
                    assertThat(q.failures()).hasSize(2).allMatch(f -> f instanceof ConnectionException);
                });
    }

    @Test
    void quorum_timedOutByCaller_cancelsTheResultsOnTheirServers() {
        AsyncResult<String> hold = a.read("hold-q3");
        await().atMost(WAIT).until(() -> implA.arrived.contains("hold-q3"));

        CompletableFuture<List<String>> quorum = AsyncResult.quorum(1, List.of(hold)).orTimeout(100, TimeUnit.MILLISECONDS);

        assertThatThrownBy(() -> quorum.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .cause().isInstanceOf(TimeoutException.class);
        await().atMost(WAIT).until(() -> implA.canceled.contains("hold-q3"));
    }

    @Test
    void quorum_kOutOfRange_refused() {
        List<AsyncResult<String>> two = List.of(a.read("fast-q4a"), a.read("fast-q4b"));

        assertThatThrownBy(() -> AsyncResult.quorum(0, two)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quorum of 0 out of 2");
        assertThatThrownBy(() -> AsyncResult.quorum(3, two)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quorum of 3 out of 2");
    }
}
