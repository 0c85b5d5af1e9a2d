package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How replies reach the callback executor: every callback runs exactly once, on the executor's
 * threads (the default pool, or one the user gives), as many at once as it has threads; one that
 * blocks does not hold up the others; an executor shut down meanwhile loses none.
 */
final class CallbackHandOffTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static Server server;
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = TestServers.employees();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private EmployeesAsync employees(Executor callbacks) {
        Client.Builder builder = Hermod.client().target("tcp://127.0.0.1:" + server.port());
        Client client = (callbacks == null ? builder : builder.callbackExecutor(callbacks)).build();
        closeLast.add(0, client);
        return client.proxy(EmployeesAsync.class, "employees");
    }

    /** Makes {@code calls} echo calls from four threads; returns each value's callback threads. */
    private static Map<Integer, List<String>> echoAll(EmployeesAsync employees, int calls) throws Exception {
        Map<Integer, List<String>> ran = new ConcurrentHashMap<>();
        AtomicInteger wrong = new AtomicInteger();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int first = t;
            callers.add(new Thread(() -> {
                for (int i = first; i < calls; i += 4) {
                    int value = i;
                    employees.slowEcho(value, 0).onComplete((v, e) -> {
                        if (e != null || v != value) {
                            wrong.incrementAndGet();
                        }
                        ran.computeIfAbsent(value, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(Thread.currentThread().getName());
                    });
                }
            }));
        }
        callers.forEach(Thread::start);
        for (Thread c : callers) {
            c.join();
        }
        await().atMost(PATIENCE).until(() -> ran.size() == calls);
        assertThat(wrong).hasValue(0);
        return ran;
    }

    private static Set<String> threadsOf(Map<Integer, List<String>> ran) {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        ran.values().forEach(threads::addAll);
        return threads;
    }

    private static void assertEachRanOnce(Map<Integer, List<String>> ran) {
        // Late duplicates would show here: the callbacks ran and nothing is queued any more.
        assertThat(ran.values()).allSatisfy(threads -> assertThat(threads).hasSize(1));
    }

    /**
     * Makes {@code calls} asynchronous calls whose callbacks each wait for another call's value,
     * as a callback may on any thread but an I/O thread; returns what went wrong.
     */
    private static List<String> callbacksThatWait(EmployeesAsync employees, int calls) {
        List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < calls; i++) {
            int value = i;
            employees.slowEcho(value, 0).onComplete((v, e) -> {
                try {
                    int again = employees.slowEcho(value + 1, 0).value();
                    if (e != null || v != value || again != value + 1) {
                        wrong.add(value + ": " + v + ", " + again + ", " + e);
                    }
                } catch (RuntimeException | Error t) {
                    wrong.add(value + " on " + Thread.currentThread().getName() + ": " + t);
                } finally {
                    done.incrementAndGet();
                }
            });
        }
        await().atMost(PATIENCE).until(() -> done.get() == calls);
        return wrong;
    }

    /**
     * An executor that runs each task in the thread that hands it over would run callbacks on the
     * client's I/O thread, where waiting for a result fails: they run on other threads instead.
     */
    @Test
    void callbackExecutorThatRunsTasksInTheCaller_callbacksStillRunOffTheIoThreads() {
        assertThat(callbacksThatWait(employees(Runnable::run), 300)).isEmpty();
    }

    /** The same for a pool that runs tasks in the caller once it is full (CallerRunsPolicy). */
    @Test
    void callbackPoolThatRunsTasksInTheCallerWhenFull_callbacksStillRunOffTheIoThreads() {
        java.util.concurrent.ThreadPoolExecutor full = new java.util.concurrent.ThreadPoolExecutor(1, 1, 1,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
                new io.netty.util.concurrent.DefaultThreadFactory("one-callback", true),
                new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
        closeLast.add(full::shutdownNow);

        assertThat(callbacksThatWait(employees(full), 300)).isEmpty();
    }

    @Test
    void callbacks_manyConcurrentCalls_eachRunsOnceWithItsValueOnTheCallbackThreads() throws Exception {
        Map<Integer, List<String>> ran = echoAll(employees(null), 3_000);

        assertEachRanOnce(ran);
        assertThat(threadsOf(ran)).allSatisfy(name -> assertThat(name).startsWith("hermod-callback"));
    }

    @Test
    void callbacksAddedWhileTheReplyArrives_eachRunsOnceWithTheValue() throws Exception {
        EmployeesAsync employees = employees(null);
        int calls = 2_000;
        int perCall = 4;
        Map<Integer, AtomicInteger> ran = new ConcurrentHashMap<>();
        AtomicInteger wrong = new AtomicInteger();
        for (int i = 0; i < calls; i++) {
            int value = i;
            AsyncResult<Integer> r = employees.slowEcho(value, 0);
            for (int k = 0; k < perCall; k++) { // some before the reply, some while, some after
                int slot = value * perCall + k;
                r.onComplete((v, e) -> {
                    if (e != null || v != value) {
                        wrong.incrementAndGet();
                    }
                    ran.computeIfAbsent(slot, x -> new AtomicInteger()).incrementAndGet();
                });
                Thread.onSpinWait();
            }
        }
        await().atMost(PATIENCE).until(() -> ran.size() == calls * perCall);

        assertThat(wrong).hasValue(0);
        assertThat(ran.values()).allSatisfy(count -> assertThat(count).hasValue(1));
    }

    /**
     * A result keeps its first callback as it is and makes a chain only for a second: callbacks
     * added while the reply settles the result (one, two or three per result, from a thread of
     * their own) each run exactly once, in the order they were added, and so do those of the
     * result's sent signal, made only when someone asks for it.
     */
    @Test
    void callbacksAddedWhileTheOutcomeArrives_eachRunOnce_inTheOrderAdded() throws Exception {
        EmployeesAsync employees = employees(null);
        int calls = 3_000;
        List<List<Integer>> ran = new ArrayList<>();
        List<AtomicInteger> sent = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            ran.add(new java.util.concurrent.CopyOnWriteArrayList<>());
            sent.add(new AtomicInteger());
        }
        java.util.concurrent.BlockingQueue<AsyncResult<Integer>> made = new LinkedBlockingQueue<>();
        Thread adder = new Thread(() -> {
            try {
                for (int i = 0; i < calls; i++) {
                    AsyncResult<Integer> r = made.take();
                    List<Integer> order = ran.get(i);
                    AtomicInteger sentTimes = sent.get(i);
                    for (int k = 0; k <= i % 3; k++) {
                        int index = k;
                        r.onComplete((v, e) -> order.add(index));
                    }
                    r.onSent(sync -> sentTimes.incrementAndGet());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "callback-adder");
        adder.start();
        for (int i = 0; i < calls; i++) {
            made.add(employees.slowEcho(i, 0));
        }
        adder.join(PATIENCE.toMillis());
        await().atMost(PATIENCE).until(() -> {
            for (int i = 0; i < calls; i++) {
                if (ran.get(i).size() < i % 3 + 1 || sent.get(i).get() < 1) {
                    return false;
                }
            }
            return true;
        });
        Thread.sleep(200); // a callback run twice would show by now

        for (int i = 0; i < calls; i++) {
            List<Integer> expected = new ArrayList<>();
            for (int k = 0; k <= i % 3; k++) {
                expected.add(k);
            }
            assertThat(ran.get(i)).as("callbacks of call %d", i).isEqualTo(expected);
            assertThat(sent.get(i)).as("sent callbacks of call %d", i).hasValue(1);
        }
    }

    @Test
    void callbacksOfOneResult_onAOneThreadExecutor_runInTheOrderTheyWereAdded() throws Exception {
        ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor();
        closeLast.add(one::shutdownNow);
        EmployeesAsync employees = employees(one);
        List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        AsyncResult<Integer> r = employees.slowEcho(1, 300);
        for (int k = 0; k < 20; k++) {
            int index = k;
            r.onComplete((v, e) -> order.add(index));
        }
        await().atMost(PATIENCE).until(() -> order.size() == 20);

        assertThat(order).isSorted();
    }

    @Test
    void callbacks_oneBlocksOnDefaultExecutor_othersStillComplete() throws Exception {
        EmployeesAsync employees = employees(null);
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            employees.slowEcho(-1, 0).onResponse(v -> {
                blocking.countDown();
                awaitQuietly(release);
            });
            assertThat(blocking.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

            AtomicInteger done = new AtomicInteger();
            for (int i = 0; i < 50; i++) {
                employees.slowEcho(i, 0).onResponse(v -> done.incrementAndGet());
            }
            await().atMost(PATIENCE).until(() -> done.get() == 50);
            assertThat(release.getCount()).isEqualTo(1); // all of them while the first still blocked
        } finally {
            release.countDown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void callbacks_userPoolOfOneThread_allRunOnItsThread() throws Exception {
        ThreadPoolExecutor one = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> new Thread(r, "user-one"));
        closeLast.add(one::shutdownNow);

        Map<Integer, List<String>> ran = echoAll(employees(one), 500);

        assertEachRanOnce(ran);
        assertThat(threadsOf(ran)).containsExactly("user-one");
    }

    @Test
    void callbacks_userForkJoinPool_allRunOnItsThreads() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(3);
        closeLast.add(pool::shutdownNow);

        Map<Integer, List<String>> ran = echoAll(employees(pool), 500);

        assertEachRanOnce(ran);
        assertThat(threadsOf(ran)).allSatisfy(name -> assertThat(name).startsWith("ForkJoinPool-"));
    }

    @Test
    void callbacks_userThreadPerTaskExecutor_allRunOnItsThreads() throws Exception {
        AtomicInteger started = new AtomicInteger();
        Executor perTask = r -> new Thread(r, "per-task-" + started.incrementAndGet()).start();

        Map<Integer, List<String>> ran = echoAll(employees(perTask), 500);

        assertEachRanOnce(ran);
        assertThat(threadsOf(ran)).allSatisfy(name -> assertThat(name).startsWith("per-task-"));
        assertThat(started.get()).isBetween(1, 500); // at most one thread per callback, as before
    }

    @Test
    void callbacks_virtualThreadPerTaskExecutor_allRunOnVirtualThreads() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21");
        ExecutorService virtual = (ExecutorService) java.util.concurrent.Executors.class
                .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        closeLast.add(virtual::shutdownNow);
        Set<Boolean> virtualThreads = ConcurrentHashMap.newKeySet();
        EmployeesAsync employees = employees(virtual);

        Map<Integer, List<String>> ran = echoAll(employees, 500);
        employees.slowEcho(1, 0).onResponse(v -> virtualThreads.add(isVirtual()));

        assertEachRanOnce(ran);
        await().atMost(PATIENCE).until(() -> !virtualThreads.isEmpty());
        assertThat(virtualThreads).containsExactly(true);
    }

    private static boolean isVirtual() {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void callbacks_userExecutorShutDownWhileCallsRun_stillRunOnceOffTheIoThreads() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> new Thread(r, "user-pool"));
        EmployeesAsync employees = employees(pool);
        Map<Integer, List<String>> ran = new ConcurrentHashMap<>();
        List<AsyncResult<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int value = i;
            AsyncResult<Integer> r = employees.slowEcho(value, 300);
            r.onResponse(v -> ran.computeIfAbsent(v, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(Thread.currentThread().getName()));
            results.add(r);
        }
        pool.shutdown(); // before the replies: the executor refuses their callbacks

        await().atMost(PATIENCE).until(() -> ran.size() == 20);
        for (int i = 0; i < 20; i++) {
            assertThat(results.get(i).value()).isEqualTo(i);
        }
        assertEachRanOnce(ran);
        assertThat(threadsOf(ran)).noneSatisfy(name -> assertThat(name).startsWith("hermod-client-io"));
    }
}
