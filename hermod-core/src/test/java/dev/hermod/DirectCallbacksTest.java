package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Client.Builder#directCallbacks()}: a reply completes its result on the client's I/O thread
 * that read it, which runs the callbacks and the non-async stages; waiting there fails instead
 * of deadlocking; what does not come with a reply keeps to the callback executor.
 *
 * <p>A callback runs where the reply is read only if it was added before the reply arrived; one
 * added later runs on the callback executor. So the calls whose callbacks a test looks at wait
 * at a gate ({@link Gated}) until the callbacks are in.
 */
final class DirectCallbacksTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Names of the client's I/O threads ({@code Transport.forClient}); its callback pool's differ. */
    private static final String IO_THREAD = "hermod-client-";
    private static Server server;
    /** What {@link Gated}'s operations wait for: opened by each test once its callbacks are in. */
    private static volatile CountDownLatch gate;
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @Remote
    public interface Gated {
        /** Waits for the test's gate, then returns {@code value}. */
        int pass(int value);

        /** Waits for the test's gate, then fails: there is no such employee. */
        String name(int number) throws NoSuchEmployee;
    }

    @dev.hermod.tools.CompanionOf(Gated.class)
    public interface GatedAsync {
        AsyncResult<Integer> pass(int value);

        AsyncResult.Throwing<String, NoSuchEmployee> name(int number);
    }

    private static final class GatedImpl implements Gated {
        @Override
        public int pass(int value) {
            awaitGate();
            return value;
        }

        @Override
        public String name(int number) throws NoSuchEmployee {
            awaitGate();
            throw new NoSuchEmployee(number);
        }
    }

    private static void awaitGate() {
        try {
            gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @BeforeAll
    static void start() {
        server = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl())
                .add("gated", Gated.class, new GatedImpl()).start();
    }

    @org.junit.jupiter.api.BeforeEach
    void closeTheGate() {
        gate = new CountDownLatch(1);
    }

    private static void openTheGate() {
        gate.countDown();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        openTheGate();
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private Client client(boolean direct) {
        Client.Builder builder = Hermod.client().target("tcp://127.0.0.1:" + server.port());
        Client client = (direct ? builder.directCallbacks() : builder).build();
        closeLast.add(0, client);
        return client;
    }

    private static String threadOf(CompletionCheck check) throws Exception {
        return check.thread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    /** Records the thread a callback ran on, and what it received. */
    private static final class CompletionCheck {
        final CompletableFuture<String> thread = new CompletableFuture<>();
        final AtomicReference<Object> value = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        <T> void watch(AsyncResult<T> result) {
            result.onComplete((v, e) -> {
                value.set(v);
                failure.set(e);
                thread.complete(Thread.currentThread().getName());
            });
        }
    }

    @Test
    void aReplyCompletesItsResultOnTheIoThreadThatReadIt() throws Exception {
        GatedAsync gated = client(true).proxy(GatedAsync.class, "gated");
        CompletionCheck check = new CompletionCheck();
        AsyncResult<Integer> result = gated.pass(7);
        CompletableFuture<String> stage = result.thenApply(v -> Thread.currentThread().getName())
                .toCompletableFuture();
        check.watch(result);
        openTheGate(); // the callbacks are in: now the reply

        assertThat(threadOf(check)).startsWith(IO_THREAD);
        assertThat(check.value.get()).isEqualTo(7);
        assertThat(stage.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).startsWith(IO_THREAD);
    }

    @Test
    void withoutItCallbacksRunOnTheCallbackExecutor() throws Exception {
        GatedAsync gated = client(false).proxy(GatedAsync.class, "gated");
        CompletionCheck check = new CompletionCheck();
        check.watch(gated.pass(7));
        openTheGate();

        assertThat(threadOf(check)).startsWith("hermod-callback-");
        assertThat(check.value.get()).isEqualTo(7);
    }

    @Test
    void aDeclaredExceptionInTheReplyIsDecodedThereToo() throws Exception {
        GatedAsync gated = client(true).proxy(GatedAsync.class, "gated");
        CompletionCheck check = new CompletionCheck();
        check.watch(gated.name(404));
        openTheGate();

        assertThat(threadOf(check)).startsWith(IO_THREAD);
        assertThat(check.failure.get()).isInstanceOf(NoSuchEmployee.class);
    }

    @Test
    void callsMadeFromCallbacksAllCompleteInOrder() throws Exception {
        Client client = client(true);
        EmployeesAsync employees = client.proxy(EmployeesAsync.class, "employees");
        GatedAsync gated = client.proxy(GatedAsync.class, "gated");
        int chains = 16;
        int length = 500;
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch finished = new CountDownLatch(chains);
        List<Runnable> starts = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            int chain = c;
            starts.add(() -> new Object() {
                void next(int step) {
                    int expected = chain * length + step;
                    employees.slowEcho(expected, 0).onComplete((v, e) -> {
                        if (e != null || v != expected || !Thread.currentThread().getName().startsWith(IO_THREAD)) {
                            wrong.add("chain " + chain + " step " + step + ": " + v + ", " + e + " on "
                                    + Thread.currentThread().getName());
                        }
                        if (step + 1 < length) {
                            next(step + 1); // written by this I/O thread, before its callback returns
                        } else {
                            finished.countDown();
                        }
                    });
                }
            }.next(0));
        }
        // Every chain starts in a callback on the I/O thread, which reads no reply meanwhile.
        gated.pass(0).onResponse(v -> starts.forEach(Runnable::run));
        openTheGate();

        assertThat(finished.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(wrong).isEmpty();
    }

    @Test
    void waitingInACallbackFailsAtOnceInsteadOfDeadlocking() throws Exception {
        Client client = client(true);
        EmployeesAsync employees = client.proxy(EmployeesAsync.class, "employees");
        Employees sync = client.proxy(Employees.class, "employees");
        CompletableFuture<Throwable> waited = new CompletableFuture<>();
        CompletableFuture<Throwable> called = new CompletableFuture<>();
        client.proxy(GatedAsync.class, "gated").pass(1).onResponse(v -> {
            try {
                employees.slowEcho(2, 200).value(); // its reply would need this very thread
                waited.complete(null);
            } catch (Throwable t) {
                waited.complete(t);
            }
            try {
                sync.slowEcho(3, 0);
                called.complete(null);
            } catch (Throwable t) {
                called.complete(t);
            }
        });
        openTheGate();

        assertThat(waited.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("would block a Hermod I/O thread");
        assertThat(called.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("would block a Hermod I/O thread");
        assertThat(employees.slowEcho(4, 0).value()).isEqualTo(4); // the connection still serves
    }

    @Test
    void aFullWindowInACallbackFailsAtOnceInsteadOfDeadlocking() throws Exception {
        Client client = client(true);
        EmployeesAsync employees = client.proxy(EmployeesAsync.class, "employees");
        dev.hermod.flow.Window window = dev.hermod.flow.Window.of(1);
        CompletableFuture<Throwable> submitted = new CompletableFuture<>();
        CompletableFuture<Throwable> awaited = new CompletableFuture<>();
        client.proxy(GatedAsync.class, "gated").pass(1).onResponse(v -> {
            try {
                window.submit(() -> employees.slowEcho(2, 200)); // room: starts at once
                window.submit(() -> employees.slowEcho(3, 0));   // full: waiting would block this thread
                submitted.complete(null);
            } catch (Throwable t) {
                submitted.complete(t);
            }
            try {
                window.awaitAll(PATIENCE);
                awaited.complete(null);
            } catch (Throwable t) {
                awaited.complete(t);
            }
        });
        openTheGate();

        assertThat(submitted.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("would block a Hermod I/O thread");
        assertThat(awaited.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("would block a Hermod I/O thread");
        window.awaitAll(PATIENCE); // from this thread it waits, and the call in flight completes
        assertThat(window.inFlight()).isZero();
    }

    @Test
    void aCallbackThatThrowsIsLoggedAndTheConnectionServesOn() throws Exception {
        GatedAsync gated = client(true).proxy(GatedAsync.class, "gated");
        CompletionCheck after = new CompletionCheck();
        AsyncResult<Integer> first = gated.pass(1);
        first.onResponse(v -> {
            throw new IllegalStateException("a callback's own bug");
        });
        after.watch(gated.pass(2));
        openTheGate();

        assertThat(threadOf(after)).startsWith(IO_THREAD);
        assertThat(after.value.get()).isEqualTo(2);
        assertThat(first.value()).isEqualTo(1); // the result is unaffected
    }

    @Test
    void closingTheClientFromACallbackDoesNotWaitForTheThreadItRunsOn() throws Exception {
        Client client = client(true);
        CountDownLatch closed = new CountDownLatch(1);
        client.proxy(GatedAsync.class, "gated").pass(1).onResponse(v -> {
            client.close(); // waiting for the client's I/O threads to end would wait for this one
            closed.countDown();
        });
        openTheGate();

        // close() gives up waiting after 5 s; returning sooner shows it did not wait at all.
        assertThat(closed.await(4, TimeUnit.SECONDS)).isTrue();
        assertThat(client.awaitTermination(PATIENCE)).isTrue();
    }

    @Remote
    public interface Sink {
        /** Waits for the test's gate, then checks that {@code data} is {@code sequence}'s pattern. */
        void take(int sequence, byte[] data);

        /** Waits for the test's gate ({@link Gated}). */
        int ping();
    }

    @dev.hermod.tools.CompanionOf(Sink.class)
    public interface SinkAsync {
        AsyncResult<Void> take(int sequence, byte[] data);

        AsyncResult<Integer> ping();
    }

    /** {@code length} bytes that depend on {@code sequence}. */
    static byte[] pattern(int sequence, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (sequence * 31 + i);
        }
        return b;
    }

    private static final class SinkImpl implements Sink {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger taken = new AtomicInteger();
        final Queue<Integer> mismatched = new ConcurrentLinkedQueue<>();

        @Override
        public void take(int sequence, byte[] data) {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!java.util.Arrays.equals(data, pattern(sequence, data.length))) {
                mismatched.add(sequence);
            }
            taken.incrementAndGet();
        }

        @Override
        public int ping() {
            awaitGate();
            return 1;
        }
    }

    /**
     * Requests made on the I/O thread are built in a buffer the connection lends and reuses for
     * the next; those that flow control holds back must be held as copies, or they would go out
     * carrying a later request's bytes.
     */
    @Test
    void requestsMadeInCallbacksAndHeldBackByFlowControlGoOutIntact() throws Exception {
        SinkImpl sink = new SinkImpl();
        Server slow = Hermod.server().host("127.0.0.1").maxInFlightPerConnection(4).add("sink", Sink.class, sink)
                .start(); // four requests waiting at the gate, then the server stops reading
        closeLast.add(slow);
        closeLast.add(0, sink.gate::countDown);
        Client client = Hermod.client().target("tcp://127.0.0.1:" + slow.port()).directCallbacks().build();
        closeLast.add(0, client);
        SinkAsync async = client.proxy(SinkAsync.class, "sink");
        int calls = 6_000; // 1 KiB each: beyond the socket buffers and the channel's high-water mark
        List<AsyncResult<Void>> results = new ArrayList<>();
        AtomicReference<Long> heldBack = new AtomicReference<>();
        CountDownLatch issued = new CountDownLatch(1);
        async.ping().onResponse(v -> {
            for (int i = 0; i < calls; i++) {
                results.add(async.take(i, pattern(i, 1000)));
            }
            heldBack.set(client.connections().get(0).queuedBytes());
            issued.countDown();
        });
        openTheGate();

        assertThat(issued.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(heldBack.get()).as("requests held back by flow control").isPositive();
        sink.gate.countDown();
        for (AsyncResult<Void> r : results) {
            assertThat(r.waitForCompleted(PATIENCE)).isTrue();
            assertThat(r.error()).isEmpty();
        }
        assertThat(sink.taken.get()).isEqualTo(calls);
        assertThat(sink.mismatched).isEmpty();
    }

    @Test
    void aResultThatTimesOutCompletesOnTheCallbackExecutor() throws Exception {
        EmployeesAsync employees = client(true).proxy(EmployeesAsync.class, "employees");
        EmployeesAsync quick = Hermod.withOptions(employees, o -> o.withTimeout(Duration.ofMillis(100)));
        CompletionCheck check = new CompletionCheck();
        check.watch(quick.slowEcho(1, 2_000));

        assertThat(threadOf(check)).startsWith("hermod-callback-");
        assertThat(check.failure.get()).isInstanceOf(InvocationTimeoutException.class);
    }

    @Test
    void aCallbackAddedAfterCompletionRunsOnTheCallbackExecutor() throws Exception {
        EmployeesAsync employees = client(true).proxy(EmployeesAsync.class, "employees");
        AsyncResult<Integer> result = employees.slowEcho(5, 0);
        result.waitForCompleted();
        AtomicInteger value = new AtomicInteger();
        CompletableFuture<String> thread = new CompletableFuture<>();
        result.onResponse(v -> {
            value.set(v);
            thread.complete(Thread.currentThread().getName());
        });

        assertThat(thread.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).startsWith("hermod-callback-");
        assertThat(value.get()).isEqualTo(5);
    }
}
