package dev.hermod.issues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 2: a failure counts as observed only when something received it, derived stages
 * inherit the watch, and a failure nobody received is logged once, naming operation and service.
 *
 * <p>Each way of handling a result gets a service name of its own (the same servant is bound under
 * all of them), so the log tells which ways were reported.
 */
final class UnobservedFailuresTest {
    private static final String LOGGED = "unhandled asynchronous exception";
    private static final String DERIVED_OWN =
            "a stage derived from echo on service 'derivedOwn' failed and nobody observed it";

    private final Gate.Impl impl = new Gate.Impl();
    private Server server;
    private Client client;
    private PrintStream originalErr;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private static final List<String> SERVICES = List.of("onResponseOnly", "thenApply", "thenAccept", "thenCompose",
            "thenApplyTwice", "thenCombine", "onException", "onComplete", "value", "get", "join", "error",
            "exceptionally", "handle", "whenComplete", "thenApplyThenExceptionally", "toCompletableFutureGet",
            "sentinel", "derivedOwn");

    /**
     * The unobserved-failure lines about this test's services: results other tests of this JVM
     * dropped are logged too, when a collection this test asks for finds them.
     */
    private static long ownLines(String log) {
        return log.lines().filter(l -> l.contains(LOGGED))
                .filter(l -> SERVICES.stream().anyMatch(s -> l.contains(" on service '" + s + "' "))).count();
    }

    @BeforeEach
    void start() {
        Server.Builder builder = Hermod.server().host("127.0.0.1");
        for (String name : SERVICES) {
            builder.add(name, Gate.class, impl);
        }
        server = builder.start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        originalErr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setErr(originalErr);
        client.close();
        server.close();
    }

    private AsyncResult<Void> failing(String service) throws InterruptedException {
        AsyncResult<Void> r = client.proxy(Gate.Async.class, service).boom(service);
        r.waitForCompleted(); // waiting is not observing
        assertThat(r.isFailed()).isTrue();
        return r;
    }

    @Test
    void droppedHandles_unobservedFailuresLoggedOnce_observedOnesNot() throws Exception {
        List<WeakReference<Object>> observed = new ArrayList<>();
        List<WeakReference<Object>> unobserved = new ArrayList<>();

        // Not observed: a response callback, and dependent stages that carry the failure and are dropped.
        unobserved.add(new WeakReference<>(failing("onResponseOnly").onResponse(v -> { })));
        unobserved.add(derived(failing("thenApply"), r -> r.thenApply(v -> "x")));
        unobserved.add(derived(failing("thenAccept"), r -> r.thenAccept(v -> { })));
        unobserved.add(derived(failing("thenCompose"), r -> r.thenCompose(v -> CompletableFuture.completedFuture(1))));
        unobserved.add(derived(failing("thenApplyTwice"), r -> r.thenApply(v -> 1).thenApply(n -> n + 1)));
        unobserved.add(derived(failing("thenCombine"),
                r -> r.thenCombine(CompletableFuture.completedFuture(2), (a, b) -> b)));
        // A failure that arises in a derived stage itself, from a call that succeeded.
        AsyncResult<String> succeeded = client.proxy(Gate.Async.class, "derivedOwn").echo("fine");
        assertThat(succeeded.value()).isEqualTo("fine");
        unobserved.add(derived(succeeded, r -> r.thenApply(v -> {
            throw new IllegalStateException("thrown by a derived stage");
        })));
        succeeded = null;

        // Observed: something received the failure.
        observed.add(new WeakReference<>(failing("onException").onException(e -> { })));
        observed.add(new WeakReference<>(failing("onComplete").onComplete((v, e) -> { })));
        observed.add(observe(failing("value"), r -> {
            try {
                r.value();
            } catch (Exception expected) {
                // received
            }
        }));
        observed.add(observe(failing("get"), r -> {
            try {
                r.get();
            } catch (Exception expected) {
                // received
            }
        }));
        observed.add(observe(failing("join"), r -> {
            try {
                r.toCompletableFuture().join();
            } catch (RuntimeException expected) {
                // received
            }
        }));
        observed.add(observe(failing("error"), r -> assertThat(r.error()).isPresent()));
        observed.add(derived(failing("exceptionally"), r -> r.exceptionally(e -> null)));
        observed.add(derived(failing("handle"), r -> r.handle((v, e) -> 1)));
        observed.add(derived(failing("whenComplete"), r -> r.whenComplete((v, e) -> { })));
        observed.add(derived(failing("thenApplyThenExceptionally"),
                r -> r.thenApply(v -> 1).exceptionally(e -> 2)));
        observed.add(observe(failing("toCompletableFutureGet"), r -> {
            try {
                r.toCompletableFuture().get();
            } catch (Exception expected) {
                // received
            }
        }));

        List<String> reported = List.of("onResponseOnly", "thenApply", "thenAccept", "thenCompose",
                "thenApplyTwice", "thenCombine");
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                System.gc();
                String log = captured.toString(StandardCharsets.UTF_8);
                return reported.stream().allMatch(s -> log.contains("boom on service '" + s + "'"))
                    && log.contains(DERIVED_OWN);
            });
        } catch (ConditionTimeoutException e) {
            String log = captured.toString(StandardCharsets.UTF_8);
            assertThat(reported).as("failures logged").allMatch(s -> log.contains("boom on service '" + s + "'"));
            assertThat(log).contains(DERIVED_OWN);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            return observed.stream().allMatch(w -> w.get() == null) && unobserved.stream().allMatch(w -> w.get() == null);
        });
        // One more unobserved failure, dropped after the observed ones were collected: once it is
        // reported, the observed ones have had their turn.
        failing("sentinel");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            return captured.toString(StandardCharsets.UTF_8).contains("boom on service 'sentinel'");
        });

        String log = captured.toString(StandardCharsets.UTF_8);
        for (String service : reported) {
            assertThat(log.split("boom on service '" + service + "' failed and nobody observed it", -1))
                    .as("lines for %s", service).hasSize(2);
        }
        for (String service : List.of("onException", "onComplete", "value", "get", "join", "error", "exceptionally",
                "handle", "whenComplete", "thenApplyThenExceptionally", "toCompletableFutureGet")) {
            assertThat(log).as("observed through %s", service).doesNotContain("boom on service '" + service + "'");
        }
        assertThat(log.split(DERIVED_OWN, -1)).hasSize(2);
        assertThat(log).contains("thrown by a derived stage");
        assertThat(ownLines(log)).as("one line per unobserved failure").isEqualTo(reported.size() + 2);
        assertThat(log).contains("RemoteException").contains("boom: thenCompose");
    }

    /** Derives a stage, lets it complete, and returns a weak reference to it. */
    private static <T> WeakReference<Object> derived(AsyncResult<T> r,
            Function<AsyncResult<T>, CompletionStage<?>> derive) throws Exception {
        CompletionStage<?> stage = derive.apply(r);
        // Not toCompletableFuture(): that hands the stage's failure over to the caller.
        await().atMost(Duration.ofSeconds(10)).until(() -> ((java.util.concurrent.Future<?>) stage).isDone());
        return new WeakReference<>(stage);
    }

    private static WeakReference<Object> observe(AsyncResult<Void> r,
            java.util.function.Consumer<AsyncResult<Void>> look) {
        look.accept(r);
        return new WeakReference<>(r);
    }
}
