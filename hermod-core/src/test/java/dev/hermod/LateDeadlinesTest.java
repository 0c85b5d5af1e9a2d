package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlines far enough away are armed by a sweep a tick after their calls start, not as they
 * start: a call that outlives the sweep still expires at its deadline, never before it, and a
 * deadline moved nearer before, during or after the sweep is the one that holds.
 */
class LateDeadlinesTest {

    @Remote
    public interface Hang {
        /** Never answers. */
        CompletionStage<String> forever();

        /** Answers at once. */
        String now(String text);
    }

    private Server server;
    private Client client;

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").add("hang", Hang.class, new Hang() {
            @Override
            public CompletionStage<String> forever() {
                return new CompletableFuture<>();
            }

            @Override
            public String now(String text) {
                return text;
            }
        }).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).callTimeout(Duration.ofMillis(400))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** How long {@code result} took to fail from {@code startNanos}; fails the test unless it timed out. */
    private static long millisToTimeout(AsyncResult<Object> result, long startNanos) throws Exception {
        try {
            result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(InvocationTimeoutException.class);
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        }
        throw new AssertionError("the call answered; it should have timed out");
    }

    @Test
    void callsThatOutliveTheSweep_expireAtTheirDeadline_neverBefore() throws Exception {
        List<AsyncResult<Object>> results = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            results.add(client.invoke("hang", "forever"));
        }
        for (AsyncResult<Object> r : results) {
            assertThat(millisToTimeout(r, start)).as("after the 400 ms deadline").isGreaterThanOrEqualTo(400)
                    .isLessThan(10_000);
        }
        // Calls that end before the sweep are dropped by it; the client goes on working.
        Hang hang = client.proxy(Hang.class, "hang");
        for (int i = 0; i < 1_000; i++) {
            assertThat(hang.now("q" + i)).isEqualTo("q" + i);
        }
    }

    @Test
    void deadlineMovedNearer_beforeDuringOrAfterTheSweep_isTheOneThatHolds() throws Exception {
        try (Client patient = Hermod.client().target("tcp://127.0.0.1:" + server.port())
                .callTimeout(Duration.ofSeconds(60)).build()) {
            List<AsyncResult<Object>> results = new ArrayList<>();
            List<Long> starts = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                long start = System.nanoTime();
                AsyncResult<Object> r = patient.invoke("hang", "forever");
                // Somewhere in the first 30 ms: before the sweep (a tick, 10 ms), around it, or after.
                Thread.sleep(ThreadLocalRandom.current().nextInt(3) * 15L);
                r.expireAfter(Duration.ofMillis(150));
                results.add(r);
                starts.add(start);
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(millisToTimeout(results.get(i), starts.get(i))).as("call %d: the 150 ms deadline", i)
                        .isGreaterThanOrEqualTo(150).isLessThan(10_000);
            }
        }
    }

    @Test
    void nearDeadline_isArmedAsTheCallStarts() throws Exception {
        long start = System.nanoTime();
        AsyncResult<Object> r = client.invoke(CallOptions.defaults().withTimeout(Duration.ofMillis(30)), "hang",
                "forever");

        assertThat(millisToTimeout(r, start)).isGreaterThanOrEqualTo(30).isLessThan(10_000);
    }
}
