package dev.hermod;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections that go away under calls in flight, for real: a server process killed, a server
 * shut down, a client closed, nobody listening. Every pending call must fail promptly with a
 * {@link ConnectionException}; none may hang until its timeout.
 */
@Timeout(value = 60, unit = SECONDS)
final class ConnectionLossTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    /** Long enough that no call in these tests ends by timing out; they must end for another reason. */
    private static final Duration NO_TIMEOUT = Duration.ofMinutes(2);

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final Semaphore slowEchoes = new Semaphore(0);
    private final List<Server> servers = new ArrayList<>();
    private Process serverProcess;
    private Client client;

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (serverProcess != null) {
                serverProcess.destroyForcibly();
                serverProcess.waitFor(BOUND.toSeconds(), SECONDS);
            }
            if (client != null) {
                client.close();
            }
            for (Server s : servers) {
                s.shutdownNow();
                assertThat(s.awaitTermination(BOUND)).isTrue();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void call_serverProcessKilled_failsEveryPendingCallWithConnectionException() throws Exception {
        BlockingQueue<String> output = new LinkedBlockingQueue<>();
        serverProcess = startServerProcess(output);
        int port = Integer.parseInt(awaitLine(output, "port ", Duration.ofSeconds(30)).substring("port ".length()));
        client = Hermod.client().target("tcp://127.0.0.1:" + port).callTimeout(NO_TIMEOUT).build();
        Employees e = client.proxy(Employees.class, "employees");

        List<CompletableFuture<Integer>> calls = IntStream.range(0, 20)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> e.slowEcho(i, 60_000), callers))
                .toList();
        Set<String> received = new HashSet<>();
        while (received.size() < 20) {
            received.add(awaitLine(output, "received ", BOUND));
        }
        serverProcess.destroyForcibly();

        assertThat(failuresOf(calls)).hasSize(20).allSatisfy(f -> {
            assertThat(f).isInstanceOf(ConnectionException.class);
            assertThat(((RpcException) f).isUnprocessed()).as("unprocessed, for a call the server had").isFalse();
        });
    }

    @Test
    void call_serverShutDownNowMidCall_failsPendingCallsWithConnectionException() throws Exception {
        Server server = startServer(0);
        client = Hermod.client().target(target(server)).callTimeout(NO_TIMEOUT).build();
        Employees e = client.proxy(Employees.class, "employees");
        List<CompletableFuture<Integer>> calls = startSlowEchoes(e, 5);

        server.shutdownNow();

        assertThat(failuresOf(calls)).hasSize(5).allSatisfy(f -> {
            assertThat(f).isInstanceOf(ConnectionException.class);
            assertThat(((RpcException) f).isUnprocessed()).isFalse();
        });
    }

    @Test
    void call_serverBackOnSamePort_reconnectsOnNextCall() throws Exception {
        Server first = startServer(0);
        int port = first.port();
        client = Hermod.client(target(first));
        Employees e = client.proxy(Employees.class, "employees");
        assertThat(e.getName(99)).isEqualTo("Ken");

        first.shutdownNow();
        assertThat(first.awaitTermination(BOUND)).isTrue();
        // No call while the server is down: a refused attempt can leave the client unable ever to
        // connect again (see call_serverUpAfterRefusedAttempts_connectsOnNextCall, disabled).
        startServer(port);
        assertThat(e.getName(1)).isEqualTo("Ada");
        assertThat(e.getName(2)).isEqualTo("Grace");
    }

    @Test
    void close_withCallsOutstanding_failsThemAndRejectsLaterCalls() throws Exception {
        Server server = startServer(0);
        client = Hermod.client().target(target(server)).callTimeout(NO_TIMEOUT).build();
        Employees e = client.proxy(Employees.class, "employees");
        List<CompletableFuture<Integer>> calls = startSlowEchoes(e, 5);

        assertTimeoutPreemptively(BOUND, client::close);

        assertThat(failuresOf(calls)).hasSize(5).allSatisfy(f -> assertThat(f).isInstanceOf(ConnectionException.class));
        assertThatThrownBy(() -> e.getName(99)).isInstanceOf(IllegalStateException.class);
        assertThat(client.isShutdown()).isTrue();
    }

    @Test
    void call_nobodyListening_failsUnprocessedNamingTarget() throws Exception {
        int port = freePort();
        client = Hermod.client("tcp://127.0.0.1:" + port);
        Employees e = client.proxy(Employees.class, "employees");

        Throwable failure = callFailure(() -> e.getName(99));

        assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining("tcp://127.0.0.1:" + port);
        assertThat(((RpcException) failure).isUnprocessed()).as("unprocessed: safe to retry").isTrue();
    }

    @Test
    void shutdown_withCallInFlight_letsItFinishAndRefusesNewCalls() throws Exception {
        Server server = startServer(0);
        client = Hermod.client().target(target(server)).callTimeout(NO_TIMEOUT).build();
        Employees e = client.proxy(Employees.class, "employees");
        CompletableFuture<Integer> inFlight = CompletableFuture.supplyAsync(() -> e.slowEcho(42, 500), callers);
        assertThat(slowEchoes.tryAcquire(BOUND.toSeconds(), SECONDS)).as("slowEcho reached the servant").isTrue();

        server.shutdown();

        assertThat(callFailure(() -> e.getName(99)))
                .as("a call made during the shutdown")
                .isInstanceOf(ConnectionException.class);
        assertThat(inFlight.get(BOUND.toSeconds(), SECONDS)).isEqualTo(42);
        assertThat(server.awaitTermination(BOUND)).isTrue();
        Throwable after = callFailure(() -> e.getName(99));
        assertThat(after).as("a call after termination").isInstanceOf(ConnectionException.class);
        assertThat(((RpcException) after).isUnprocessed()).isTrue();
    }

    /**
     * Regression: when a refused connection attempt had already failed on the I/O thread, the
     * failure reached the caller wrapped in a CompletionException. The race needs many attempts.
     */
    @Test
    void call_refusedAgainAndAgain_throwsConnectionExceptionEveryTime() throws Exception {
        client = Hermod.client("tcp://127.0.0.1:" + freePort());
        Employees e = client.proxy(Employees.class, "employees");
        assertThat(catchThrowable(() -> e.getName(99))).isNotNull(); // the I/O thread is up from here on

        assertTimeoutPreemptively(BOUND, () -> {
            for (int i = 1; i <= 500; i++) {
                assertThat(catchThrowable(() -> e.getName(99))).as("attempt %d", i)
                        .isInstanceOf(ConnectionException.class);
            }
        });
    }

    /**
     * Regression: a connection attempt that failed before ClientImpl.open() returned stayed cached,
     * and the client could never connect again. Each round hit it about half the time.
     */
    @Test
    void call_serverUpAfterRefusedAttempts_connectsOnNextCall() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int round = 1; round <= 20; round++) {
                int port = freePort();
                // A short backoff: the first call after it, not the first call at all, connects again.
                try (Client c = Hermod.client().target("tcp://127.0.0.1:" + port)
                        .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(50)).build()) {
                    Employees e = c.proxy(Employees.class, "employees");
                    for (int i = 0; i < 400; i++) {
                        assertThat(catchThrowable(() -> e.getName(99))).as("round %d, while nobody listens", round)
                                .isNotNull();
                    }

                    startServer(port);

                    int r = round;
                    org.awaitility.Awaitility.await().atMost(BOUND).pollInterval(Duration.ofMillis(10))
                            .untilAsserted(() -> assertThat(catchThrowable(() -> e.getName(99)))
                                    .as("round %d, with a server", r).isNull());
                }
            }
        });
    }

    // ---- helpers ----

    private Server startServer(int port) {
        Server s = Hermod.server()
                .host("127.0.0.1")
                .port(port)
                .add("employees", Employees.class, new FaultEmployees(value -> slowEchoes.release()))
                .start();
        servers.add(s);
        return s;
    }

    /** Makes a call that must fail, within {@link #BOUND}, and returns its failure. */
    private static Throwable callFailure(ThrowingCallable call) {
        Throwable t = assertTimeoutPreemptively(BOUND, () -> catchThrowable(call));
        assertThat(t).as("the call's failure").isNotNull();
        return t;
    }

    /** A port nobody listens on (as long as nobody else grabs it in the meantime). */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static String target(Server server) {
        return "tcp://127.0.0.1:" + server.port();
    }

    /** Starts {@code n} calls of slowEcho(i, 60 s) and waits until the servant has all of them. */
    private List<CompletableFuture<Integer>> startSlowEchoes(Employees e, int n) throws InterruptedException {
        List<CompletableFuture<Integer>> calls = IntStream.range(0, n)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> e.slowEcho(i, 60_000), callers))
                .toList();
        assertThat(slowEchoes.tryAcquire(n, BOUND.toSeconds(), SECONDS)).as("all calls reached the servant").isTrue();
        return calls;
    }

    /**
     * Waits (at most {@link #BOUND}) until every call has completed, and returns how each failed;
     * fails the test if any is still pending or succeeded.
     */
    private static List<Throwable> failuresOf(List<CompletableFuture<Integer>> calls) throws InterruptedException {
        try {
            CompletableFuture.allOf(calls.toArray(CompletableFuture<?>[]::new)).get(BOUND.toMillis(), MILLISECONDS);
        } catch (ExecutionException expected) {
            // all completed, some (we want all) exceptionally
        } catch (TimeoutException e) {
            fail(calls.stream().filter(c -> !c.isDone()).count() + " of " + calls.size()
                    + " calls still pending after " + BOUND);
        }
        List<Throwable> failures = new ArrayList<>();
        for (CompletableFuture<Integer> c : calls) {
            Throwable t = c.handle((value, failure) -> failure).join();
            if (t == null) {
                fail("a call succeeded: " + c.join());
            }
            failures.add(t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
        }
        return failures;
    }

    private static Process startServerProcess(BlockingQueue<String> output) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java,
                "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                FaultServerMain.class.getName())
                .redirectErrorStream(true)
                .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "fault-server-output");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /**
     * Returns the next line of the server process's output that starts with {@code prefix};
     * other lines (warnings, say) are skipped but shown if the line never comes.
     */
    private String awaitLine(BlockingQueue<String> output, String prefix, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        List<String> skipped = new ArrayList<>();
        while (true) {
            String line = output.poll(Math.max(0, deadline - System.nanoTime()), NANOSECONDS);
            if (line == null) {
                String state = serverProcess.isAlive() ? "running" : "exited with " + serverProcess.exitValue();
                return fail("no line starting with '" + prefix + "' from the server process (" + state
                        + ") within " + bound + "; other output: " + skipped);
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            skipped.add(line);
        }
    }
}
