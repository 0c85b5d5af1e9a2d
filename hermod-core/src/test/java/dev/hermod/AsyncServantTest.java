package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.hermod.tools.ServiceDescription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous dispatch chosen by the servant (issue 21): one contract with synchronous
 * signatures ({@link FetchService}), a servant that answers later through the servant companion,
 * and clients calling synchronously and asynchronously, unaware of the servant's choice.
 */
final class AsyncServantTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Far fewer threads than calls waiting at once: a servant holding a thread per call would run out. */
    private static final int DISPATCH_THREADS = 2;
    private static final int CALLS = 40;

    /** The servant: every fetch waits in {@link #pending} until the test answers it from the timer. */
    static final class LaterFetch implements FetchServiceAsyncServant {
        record Pending(int item, CompletableFuture<byte[]> answer, Current current, Duration timeLeft) {}

        final Queue<Pending> pending = new ConcurrentLinkedQueue<>();

        @Override
        public CompletionStage<byte[]> fetch(int item) throws FetchService.NoSuchItem {
            if (item == -2) {
                throw new FetchService.NoSuchItem("item -2 was refused at once");
            }
            Current current = Current.get(); // kept: it is read later, from the timer's thread
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            pending.add(new Pending(item, answer, current, current.timeRemaining().orElse(null)));
            return answer;
        }

        @Override
        public CompletionStage<Integer> size() {
            return CompletableFuture.completedFuture(pending.size());
        }
    }

    private ThreadPoolExecutor dispatch;
    private ScheduledExecutorService timer;
    private LaterFetch servant;
    private Server server;
    private Client client;

    @BeforeEach
    void start() {
        dispatch = new ThreadPoolExecutor(DISPATCH_THREADS, DISPATCH_THREADS, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>());
        timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backend-timer"));
        servant = new LaterFetch();
        server = Hermod.server().host("127.0.0.1").executor(dispatch)
                .add("fetch", FetchServiceAsyncServant.class, servant)
                .start();
        client = TestServers.client(server);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        timer.shutdownNow();
        dispatch.shutdownNow();
    }

    private static byte[] bytesOf(int item) {
        return ("item " + item).getBytes(StandardCharsets.UTF_8);
    }

    /** Answers every pending call from the timer thread, each with its item's bytes. */
    private void answerFromTimer() {
        timer.execute(() -> {
            for (LaterFetch.Pending p; (p = servant.pending.poll()) != null; ) {
                if (p.item() < 0) {
                    p.answer().completeExceptionally(new FetchService.NoSuchItem("no item " + p.item()));
                } else {
                    p.answer().complete(bytesOf(p.item()));
                }
            }
        });
    }

    @Test
    void fetch_syncAndAsyncClientsWhileServantAnswersLater_noDispatchThreadIsHeld() throws Exception {
        FetchService sync = client.proxy(FetchService.class, "fetch");
        FetchServiceAsync async = client.proxy(FetchServiceAsync.class, "fetch");
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            Future<byte[]> blocking = callers.submit(() -> sync.fetch(1000)); // waits in a client thread
            List<AsyncResult<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                results.add(async.fetch(i));
            }

            // Every call is with the servant at once, with only two dispatch threads, none of them busy.
            await().atMost(WAIT).until(() -> servant.pending.size() == CALLS + 1);
            await().atMost(WAIT).until(() -> dispatch.getActiveCount() == 0);
            assertThat(dispatch.getLargestPoolSize()).isLessThanOrEqualTo(DISPATCH_THREADS);
            assertThat(results).noneMatch(AsyncResult::isDone);
            assertThat(blocking.isDone()).isFalse();

            answerFromTimer();
            for (int i = 0; i < CALLS; i++) {
                assertThat(results.get(i).value()).isEqualTo(bytesOf(i));
            }
            assertThat(blocking.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(bytesOf(1000));
            assertThat(dispatch.getCompletedTaskCount()).isEqualTo(CALLS + 1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void fetch_declaredExceptionCompletingTheStage_reachesSyncAndAsyncCallersAsItself() {
        FetchService sync = client.proxy(FetchService.class, "fetch");
        FetchServiceAsync async = client.proxy(FetchServiceAsync.class, "fetch");

        AsyncResult<byte[]> later = async.fetch(-1);
        await().atMost(WAIT).until(() -> servant.pending.size() == 1);
        answerFromTimer();
        assertThat(catchThrowableOfType(FetchService.NoSuchItem.class, later::value)).hasMessage("no item -1");

        assertThatThrownBy(() -> sync.fetch(-2)).isInstanceOf(FetchService.NoSuchItem.class)
                .hasMessage("item -2 was refused at once");
        assertThat(catchThrowableOfType(FetchService.NoSuchItem.class, () -> async.fetch(-2).value()))
                .hasMessage("item -2 was refused at once");
    }

    @Test
    void cancel_whileServantHoldsTheStage_cancelsItAndCurrentSaysSo() {
        AsyncResult<byte[]> r = client.proxy(FetchServiceAsync.class, "fetch").fetch(7);
        await().atMost(WAIT).until(() -> servant.pending.size() == 1);
        LaterFetch.Pending p = servant.pending.peek();
        assertThat(p.current().isCanceled()).isFalse();

        assertThat(r.cancel()).isTrue();

        await().atMost(WAIT).until(() -> p.answer().isCancelled());
        assertThat(p.current().isCanceled()).isTrue();
        assertThat(p.answer().complete(bytesOf(7))).as("the stage is done: a late answer changes nothing").isFalse();
    }

    @Test
    void deadline_passingWhileServantHoldsTheStage_reachesIt() {
        FetchService plain = client.proxy(FetchService.class, "fetch");
        assertThat(plain.size()).isZero(); // the connection is open: the timed call is sent at once
        FetchService sync = Hermod.withOptions(plain, o -> o.withTimeout(Duration.ofMillis(300)));

        assertThatThrownBy(() -> sync.fetch(8)).isInstanceOf(InvocationTimeoutException.class);

        await().atMost(WAIT).until(() -> !servant.pending.isEmpty());
        LaterFetch.Pending p = servant.pending.peek();
        assertThat(p.timeLeft()).as("the servant saw the caller's deadline")
                .isPositive().isLessThanOrEqualTo(Duration.ofMillis(300));
        // The caller, at its deadline, told the server: the stage the servant holds is canceled.
        await().atMost(WAIT).until(() -> p.answer().isCancelled());
        assertThat(p.current().isCanceled()).isTrue();
        assertThat(p.current().timeRemaining()).hasValueSatisfying(left ->
                assertThat(left).isLessThan(Duration.ofMillis(300)));
    }

    @Test
    void add_handWrittenServantForm_answersEachOperationAsItsMethodChose() throws Exception {
        FetchForms.Mixed mixed = new FetchForms.Mixed() {
            @Override
            public CompletableFuture<byte[]> fetch(int item) {
                return CompletableFuture.supplyAsync(() -> bytesOf(item), timer);
            }

            @Override
            public int size() {
                return 42;
            }
        };
        try (Server s = Hermod.server().host("127.0.0.1").add("mixed", FetchForms.Mixed.class, mixed).start();
                Client c = TestServers.client(s)) {
            FetchService sync = c.proxy(FetchService.class, "mixed");
            assertThat(sync.size()).isEqualTo(42);
            assertThat(sync.fetch(3)).isEqualTo(bytesOf(3));
            assertThat(c.proxy(FetchServiceAsync.class, "mixed").size().value()).isEqualTo(42);
        }
    }

    @Test
    void add_servantOfServantCompanionWithoutNamingIt_servesTheContract() throws Exception {
        try (Server s = Hermod.server().host("127.0.0.1").add("fetch", servant).start();
                Client c = TestServers.client(s)) {
            AsyncResult<byte[]> r = c.proxy(FetchServiceAsync.class, "fetch").fetch(5);
            await().atMost(WAIT).until(() -> servant.pending.size() == 1);
            answerFromTimer();
            assertThat(r.value()).isEqualTo(bytesOf(5));
            ServiceDescription d = c.describe().value().stream().filter(x -> x.name().equals("fetch")).findFirst()
                    .orElseThrow();
            assertThat(d.contract()).isEqualTo(FetchService.class.getName());
        }
    }

    @Test
    void start_servantCompanionWithWrongResultType_isRefusedNamingTheMethod() {
        FetchForms.WrongResult wrong = new FetchForms.WrongResult() {
            @Override
            public CompletionStage<String> fetch(int item) {
                return CompletableFuture.completedFuture("");
            }

            @Override
            public CompletionStage<Integer> size() {
                return CompletableFuture.completedFuture(0);
            }
        };
        Server.Builder builder = Hermod.server().host("127.0.0.1").add("wrong", FetchForms.WrongResult.class, wrong);

        assertThatThrownBy(builder::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("returns CompletionStage<String>, but FetchService.fetch(int) returns byte[]: a servant"
                        + " companion method returns byte[] or CompletionStage<byte[]> (for method"
                        + " WrongResult.fetch(int))");
    }

    @Test
    void start_servantCompanionMissingAnOperationOrWithOtherParameters_isRefusedNamingIt() {
        FetchForms.Incomplete incomplete = item -> CompletableFuture.completedFuture(bytesOf(item));
        assertThatThrownBy(() -> Hermod.server().add("f", FetchForms.Incomplete.class, incomplete).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Incomplete has no method for operation FetchService.size(): a servant companion answers"
                        + " every operation of FetchService (for method FetchService.size())");

        FetchForms.WrongParameter other = new FetchForms.WrongParameter() {
            @Override
            public CompletionStage<byte[]> fetch(long item) {
                return CompletableFuture.completedFuture(new byte[0]);
            }

            @Override
            public CompletionStage<Integer> size() {
                return CompletableFuture.completedFuture(0);
            }
        };
        assertThatThrownBy(() -> Hermod.server().add("f", FetchForms.WrongParameter.class, other).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("does not match FetchService.fetch(int): the parameter types differ"
                        + " (for method WrongParameter.fetch(long))");
    }

    @Test
    void proxy_clientCompanionNotMatchingTheContract_isRefusedNamingTheMethod() {
        assertThatThrownBy(() -> client.proxy(FetchForms.WrongAsync.class, "fetch"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("returns AsyncResult<String>, but FetchService.fetch(int) returns byte[]: a companion"
                        + " method returns AsyncResult<byte[]> or CompletionStage<byte[]> (for method"
                        + " WrongAsync.fetch(int))");
        assertThatThrownBy(() -> client.proxy(FetchForms.UnknownAsync.class, "fetch"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("matches no operation of FetchService: it has no operation named 'fetchAll'"
                        + " (for method UnknownAsync.fetchAll())");
    }
}
