package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.NameResolver;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class AsyncResultTest {
    private static Server server;
    private static Client client;
    private static EmployeesAsync employees;

    @BeforeAll
    static void start() {
        server = TestServers.employees();
        client = TestServers.client(server);
        employees = client.proxy(EmployeesAsync.class, "employees");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void value_afterCompletion_returnsResult() throws Exception {
        AsyncResult<String> r = employees.getName(99);
        assertThat(r.value()).isEqualTo("Ken");
        assertThat(r.isDone()).isTrue();
        assertThat(r.isFailed()).isFalse();
        assertThat(r.error()).isEmpty();
        assertThat(r.operation()).isEqualTo("getName");
        assertThat(r.service()).isEqualTo("employees");
        assertThat(r.client()).containsSame(client);
        assertThat(r.remoteAddress()).isPresent();
        assertThat(r.proxy()).containsSame(employees);
    }

    @Test
    void value_declaredException_rethrownAsItself() {
        AsyncResult<String> r = employees.getName(5);
        NoSuchEmployee e = catchThrowableOfType(NoSuchEmployee.class, r::value);
        assertThat(e.number()).isEqualTo(5);
        assertThat(r.isFailed()).isTrue();
        assertThat(r.error()).containsInstanceOf(NoSuchEmployee.class);
        assertThatThrownBy(r::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoSuchEmployee.class);
    }

    @Test
    void call_whileServerIsSlow_returnsAtOnce() throws Exception {
        // The servant sleeps 2 s; the call must hand back its result handle long before that.
        // (Checked by state, not by a clock: when the call returns, no reply can exist yet.)
        AsyncResult<Integer> r = employees.slowEcho(1, 2_000);
        assertThat(r.isDone()).isFalse();
        assertThat(r.value()).isEqualTo(1);
    }

    @Test
    void syncContract_methodReturningAsyncResult_picksAsyncMode() throws Exception {
        AsyncResult<Void> r = employees.rename(42, "nobody");
        assertThat(catchThrowableOfType(NoSuchEmployee.class, r::value).number()).isEqualTo(42);
    }

    @Test
    void callbacks_runOnCallbackExecutor_alsoWhenAddedAfterCompletion() throws Exception {
        AsyncResult<String> r = employees.getName(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch before = new CountDownLatch(1);
        r.onResponse(v -> {
            threads.add(Thread.currentThread().getName());
            before.countDown();
        });
        assertThat(before.await(10, TimeUnit.SECONDS)).isTrue();
        CountDownLatch after = new CountDownLatch(2);
        r.onComplete((v, e) -> {
            threads.add(Thread.currentThread().getName());
            after.countDown();
        });
        r.thenApplyAsync(v -> {
            threads.add(Thread.currentThread().getName());
            after.countDown();
            return v;
        });
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).hasSize(3).allSatisfy(name -> assertThat(name).startsWith("hermod-callback"));
    }

    @Test
    void exceptionCallback_receivesDeclaredException() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        employees.getName(404).onResponse(v -> seen.complete(null)).onException(seen::complete);
        assertThat(seen.get(10, TimeUnit.SECONDS)).isInstanceOf(NoSuchEmployee.class);
    }

    @Test
    void callbackThatThrows_isLoggedAndOthersStillRun() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        AsyncResult<String> r = employees.getName(2);
        r.onResponse(v -> {
            throw new IllegalStateException("callback bug");
        }).onResponse(v -> second.countDown());
        assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(r.value()).isEqualTo("Grace");
    }

    @Test
    void userCannotCompleteResult() {
        AsyncResult<String> r = employees.getName(1);
        assertThatThrownBy(() -> r.toCompletableFuture().complete("forged")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.toCompletableFuture().obtrudeValue("forged"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void sentCallback_onEstablishedConnection_runsInCallingThreadSynchronously() throws Exception {
        employees.names().value(); // the connection is up
        AsyncResult<String> r = employees.getName(1);
        assertThat(r.isSent()).isTrue();
        assertThat(r.sentSynchronously()).isTrue();
        AtomicReference<String> thread = new AtomicReference<>();
        r.onSent(sync -> thread.set(Thread.currentThread().getName() + ":" + sync));
        assertThat(thread.get()).isEqualTo(Thread.currentThread().getName() + ":true");
    }

    @Test
    void sentCallback_beforeConnectionExists_runsLaterOnAnotherThread() throws Exception {
        // The client learns its server's address only when the test says so: until then no
        // connection can exist, however fast loopback connects.
        CompletableFuture<NameResolver.Listener> resolving = new CompletableFuture<>();
        NameResolver.Provider gated = new NameResolver.Provider() {
            @Override
            public String scheme() {
                return "gated";
            }

            @Override
            public NameResolver newResolver(URI target, ScheduledExecutorService scheduler) {
                return new NameResolver() {
                    @Override
                    public void start(Listener listener) {
                        resolving.complete(listener);
                    }

                    @Override
                    public void close() {}
                };
            }
        };
        try (Client fresh = Hermod.client().target("gated://employees").resolver(gated).build()) {
            AsyncResult<String> r = fresh.proxy(EmployeesAsync.class, "employees").getName(1);
            CompletableFuture<String> thread = new CompletableFuture<>();
            r.onSent(sync -> thread.complete(Thread.currentThread().getName() + ":" + sync));
            assertThat(r.isSent()).isFalse();
            resolving.get(10, TimeUnit.SECONDS).onEndpoints(List.of(Endpoint.of("127.0.0.1", server.port())));
            assertThat(r.waitForSent(Duration.ofSeconds(10))).isTrue();
            assertThat(r.sentSynchronously()).isFalse();
            assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("hermod-callback").endsWith(":false");
            assertThat(r.value()).isEqualTo("Ada");
        }
    }

    @Test
    void expiry_beforeReply_failsWithTimeout_andLateReplyIsDropped() throws Exception {
        AsyncResult<Integer> r = employees.slowEcho(7, 1_000).expireAfter(Duration.ofMillis(100));
        InvocationTimeoutException e = catchThrowableOfType(InvocationTimeoutException.class, r::value);
        assertThat(e).hasMessageContaining("timed out");
        assertThat(r.isExpired()).isTrue();
        assertThat(r.isFailed()).isTrue();
        // The reply arrives later and changes nothing; the connection keeps working.
        Thread.sleep(1_100);
        assertThat(r.isExpired()).isTrue();
        assertThat(employees.getName(99).value()).isEqualTo("Ken");
    }

    @Test
    void expireAfter_laterThanDeadline_isIgnored() throws Exception {
        EmployeesAsync quick = Hermod.withOptions(employees, o -> o.withTimeout(Duration.ofMillis(150)));
        AsyncResult<Integer> r = quick.slowEcho(1, 1_000).expireAfter(Duration.ofSeconds(30));
        assertThat(catchThrowableOfType(InvocationTimeoutException.class, r::value)).isNotNull();
    }

    @Test
    void manyConcurrentAsyncCalls_fromSeveralThreads_eachMatchedToItsRequest() throws Exception {
        int threads = 4;
        int perThread = 1_500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * 100_000;
                futures.add(pool.submit(() -> {
                    List<AsyncResult<Integer>> results = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        results.add(employees.slowEcho(base + i, 0));
                    }
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        int got = results.get(i).value();
                        if (got != base + i) {
                            wrong.add((base + i) + "->" + got);
                        }
                    }
                    return wrong;
                }));
            }
            for (Future<List<String>> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void all_collectsValuesInOrder() throws Exception {
        List<AsyncResult<String>> results = List.of(employees.getName(1), employees.getName(2), employees.getName(99));
        assertThat(AsyncResult.all(results).get(10, TimeUnit.SECONDS)).containsExactly("Ada", "Grace", "Ken");
        assertThat(AsyncResult.all(List.<AsyncResult<String>>of()).get()).isEmpty();
    }

    @Test
    void all_oneFails_failsWithItAndCancelsOthers() throws Exception {
        AsyncResult<Integer> slow = employees.slowEcho(1, 2_000);
        AsyncResult<String> bad = employees.getName(5);
        CompletableFuture<List<Object>> both = AsyncResult.all(List.<AsyncResult<?>>of(slow, bad));
        assertThatThrownBy(() -> both.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NoSuchEmployee.class);
        await().atMost(Duration.ofSeconds(5)).until(slow::isCancelled);
    }

    @Test
    void any_firstOutcomeWins_andOthersAreCanceled() throws Exception {
        AsyncResult<Integer> slow = employees.slowEcho(1, 2_000);
        AsyncResult<Integer> fast = employees.slowEcho(2, 0);
        assertThat(AsyncResult.any(List.of(slow, fast)).get(10, TimeUnit.SECONDS)).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(slow::isCancelled);
    }
}
