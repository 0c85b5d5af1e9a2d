package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.hermod.tools.CompanionOf;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cancellation, progress, answers given later, deadline propagation, unobserved failures. */
final class AsyncJobsTest {

    /** The asynchronous face of {@link Jobs}, as the annotation processor writes it. */
    @CompanionOf(Jobs.class)
    public interface JobsAsync {
        AsyncResult<String> run(int steps, long stepMillis);

        AsyncResult<String> later(String key);

        AsyncResult<Integer> canceledRuns();

        AsyncResult<String> relay(String target, int steps, long stepMillis);
    }

    private JobsImpl impl;
    private Server server;
    private Client client;
    private JobsAsync jobs;

    @BeforeEach
    void start() {
        impl = new JobsImpl();
        server = Hermod.server().host("127.0.0.1").add("jobs", Jobs.class, impl).start();
        client = TestServers.client(server);
        jobs = client.proxy(JobsAsync.class, "jobs");
    }

    @AfterEach
    void stop() {
        impl.closeRelays();
        client.close();
        server.close();
    }

    @Test
    void cancel_afterSentBeforeReply_failsAtOnceAndServantSeesIt() {
        AsyncResult<String> r = jobs.run(200, 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.started.get() == 1);
        assertThat(r.cancel()).isTrue();
        InvocationCanceledException e = catchThrowableOfType(InvocationCanceledException.class, r::value);
        assertThat(e.isUnprocessed()).isFalse();
        assertThat(r.isCancelled()).isTrue();
        assertThat(r.isDone()).isTrue();
        assertThat(r.cancel()).as("a second cancel does nothing").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.canceled.get() == 1);
    }

    @Test
    void cancel_beforeSent_neverReachesServant() throws Exception {
        try (Client fresh = TestServers.client(server)) {
            AsyncResult<String> r = fresh.proxy(JobsAsync.class, "jobs").run(1, 0);
            if (!r.isSent()) { // the connection is still being opened: the request is queued
                assertThat(r.cancel()).isTrue();
                assertThat(catchThrowableOfType(InvocationCanceledException.class, r::value).isUnprocessed()).isTrue();
            } else {
                r.value();
            }
            Jobs sync = fresh.proxy(Jobs.class, "jobs");
            assertThat(sync.canceledRuns()).isZero();
        }
    }

    @Test
    void replyAfterCancel_isDropped_andConnectionKeepsWorking() throws Exception {
        AsyncResult<String> r = jobs.later("k1");
        r.cancel();
        client.proxy(Jobs.class, "jobs").release("k1"); // the servant answers now; nobody wants it
        assertThat(r.isCancelled()).isTrue();
        assertThat(jobs.run(1, 0).value()).isEqualTo("ran 1 steps");
    }

    @Test
    void progress_reportedByServant_reachesCallerInOrder() throws Exception {
        AsyncResult<String> r = jobs.run(5, 30);
        List<Progress> seen = new CopyOnWriteArrayList<>();
        r.onProgress(seen::add);
        assertThat(r.value()).isEqualTo("ran 5 steps");
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.stream().anyMatch(p -> p.fraction() == 1.0));
        List<Double> fractions = new ArrayList<>();
        seen.forEach(p -> fractions.add(p.fraction()));
        assertThat(fractions).isSorted();
        assertThat(r.progress()).hasValueSatisfying(p -> {
            assertThat(p.percent()).isEqualTo(100);
            assertThat(p.message()).isEqualTo("done");
        });
    }

    @Test
    void progress_madeBeforeTheAnswer_hasReachedTheListenerWhenTheResultCompletes() throws Exception {
        for (int i = 0; i < 20; i++) {
            AsyncResult<String> r = jobs.run(2, 15);
            List<Double> seen = new CopyOnWriteArrayList<>();
            r.onProgress(p -> { // a slow listener: the result must still wait for it
                sleep(5);
                seen.add(p.fraction());
            });

            assertThat(r.value()).isEqualTo("ran 2 steps");
            assertThat(seen).as("run %d: reports seen when value() returned", i).endsWith(1.0);
        }
    }

    @Test
    void value_replyArrivingWhileItWaits_completesEvenWithTheCallbackExecutorStuck() throws Exception {
        CountDownLatch unstick = new CountDownLatch(1);
        ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> new Thread(r, "stuck-callbacks"));
        callbacks.execute(() -> awaitQuietly(unstick)); // its only thread is busy until the end
        try (Client stuck = Hermod.client().target("tcp://127.0.0.1:" + server.port())
                .callbackExecutor(callbacks).build()) {
            JobsAsync stuckJobs = stuck.proxy(JobsAsync.class, "jobs");
            AsyncResult<String> waited = stuckJobs.later("w");
            AsyncResult<String> withCallback = stuckJobs.later("c");
            List<String> callbackThreads = new CopyOnWriteArrayList<>();
            withCallback.onComplete((v, e) -> callbackThreads.add(Thread.currentThread().getName()));

            AtomicReference<Object> got = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    got.set(waited.value());
                } catch (Exception e) {
                    got.set(e);
                }
            });
            waiter.setDaemon(true);
            waiter.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
            Jobs sync = client.proxy(Jobs.class, "jobs");
            sync.release("w"); // answered while the waiter waits: the waiter itself completes it
            sync.release("c");
            waiter.join(10_000);
            assertThat(got.get()).isEqualTo("released w");
            assertThat(waited.isDone()).isTrue();

            // A result with a callback still completes on the callback executor, never elsewhere.
            assertThat(withCallback.isDone()).isFalse();
            unstick.countDown();
            assertThat(withCallback.value()).isEqualTo("released c");
            await().atMost(Duration.ofSeconds(10)).until(() -> callbackThreads.size() == 1);
            assertThat(callbackThreads).containsExactly("stuck-callbacks");
        } finally {
            unstick.countDown();
            callbacks.shutdown();
        }
    }

    @Test
    void waits_endingAroundTheReply_neverLeaveAResultIncomplete() throws Exception {
        // Short waits that time out just before, during or after the reply: whichever thread sees
        // the outcome, every result completes, with its own value.
        ExecutorService waiters = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(waiters.submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        AsyncResult<String> r = jobs.run(1, 0);
                        while (!r.waitForCompleted(Duration.ofNanos(50_000L * (i % 7)))) {
                            Thread.onSpinWait();
                        }
                        assertThat(r.value()).as("thread %d call %d", thread, i).isEqualTo("ran 1 steps");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            waiters.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void completionStageServant_answersLater_withoutHoldingAThread() throws Exception {
        // More pending calls than the JDK 17 dispatch pool has threads: only possible if none is held.
        List<AsyncResult<String>> pending = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pending.add(jobs.later("key" + i));
        }
        Jobs sync = client.proxy(Jobs.class, "jobs");
        for (int i = 0; i < 200; i++) {
            sync.release("key" + i);
        }
        for (int i = 0; i < 200; i++) {
            assertThat(pending.get(i).value()).isEqualTo("released key" + i);
        }
    }

    @Test
    void nestedCall_inheritsDeadlineOfCallBeingServed() throws Exception {
        JobsImpl backendImpl = new JobsImpl();
        try (Server backend = Hermod.server().host("127.0.0.1").add("jobs", Jobs.class, backendImpl).start()) {
            JobsAsync quick = Hermod.withOptions(jobs, o -> o.withTimeout(Duration.ofMillis(300)));
            // The relay's own call to the backend has the client's default 30 s timeout, but it runs
            // inside an invocation with 300 ms left: it must give up with the caller's deadline.
            AsyncResult<String> r = quick.relay("tcp://127.0.0.1:" + backend.port(), 100, 50);
            r.waitForCompleted();
            // Either the caller's own deadline ends it, or the relay's nested call times out first
            // and the relay reports that: both are the same deadline.
            assertThat(r.error()).hasValueSatisfying(e -> assertThat(e instanceof InvocationTimeoutException
                    || e instanceof RemoteException re && re.remoteClassName().equals(
                            InvocationTimeoutException.class.getName())).as(e.toString()).isTrue());
            await().atMost(Duration.ofSeconds(10)).until(() -> backendImpl.canceled.get() == 1);
        }
    }

    @Test
    void nestedCall_canceledWhenCallBeingServedIsCanceled() {
        JobsImpl backendImpl = new JobsImpl();
        try (Server backend = Hermod.server().host("127.0.0.1").add("jobs", Jobs.class, backendImpl).start()) {
            AsyncResult<String> r = jobs.relay("tcp://127.0.0.1:" + backend.port(), 500, 20);
            await().atMost(Duration.ofSeconds(10)).until(() -> backendImpl.started.get() == 1);
            r.cancel();
            await().atMost(Duration.ofSeconds(10)).until(() -> backendImpl.canceled.get() == 1);
        }
    }

    @Test
    void unobservedFailure_isLoggedOnceWhenResultIsCollected() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            // Timeouts of their own make this test's failures known apart from those other tests
            // of this JVM dropped, which a collection may log meanwhile.
            AsyncResult<String> observed = jobs.later("never").expireAfter(Duration.ofMillis(51));
            observed.onException(e -> { });
            dropUnobservedFailure();
            String dropped = "InvocationTimeoutException: later on service 'jobs' timed out after 57 ms";
            try {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    System.gc();
                    return captured.toString(StandardCharsets.UTF_8).contains(dropped);
                });
            } catch (ConditionTimeoutException e) {
                // What was logged instead tells a result kept reachable from one that failed otherwise.
                throw new AssertionError("no '" + dropped + "' logged within 20 s; the log meanwhile:\n"
                        + captured.toString(StandardCharsets.UTF_8), e);
            }
            String log = captured.toString(StandardCharsets.UTF_8);
            assertThat(log).contains("later on service 'jobs' failed and nobody observed it")
                    .contains("unhandled asynchronous exception")
                    .doesNotContain("timed out after 51 ms");
            assertThat(log.split(dropped, -1)).as("logged once, for one result").hasSize(2);
        } finally {
            System.setErr(original);
        }
    }

    private void dropUnobservedFailure() throws InterruptedException {
        CompletionStage<String> r = jobs.later("never-either").expireAfter(Duration.ofMillis(57));
        ((AsyncResult<String>) r).waitForCompleted();
        assertThat(((AsyncResult<String>) r).isFailed()).isTrue();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
