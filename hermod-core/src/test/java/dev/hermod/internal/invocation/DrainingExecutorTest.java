package dev.hermod.internal.invocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class DrainingExecutorTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final List<ExecutorService> pools = new ArrayList<>();

    @AfterEach
    void tearDown() {
        pools.forEach(ExecutorService::shutdownNow);
    }

    private ThreadPoolExecutor pool(int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>());
        pools.add(pool);
        return pool;
    }

    @Test
    void parallelismOf_threadPool_isItsMaximumSize() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 5, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        pools.add(pool);

        assertThat(DrainingExecutor.parallelismOf(pool)).isEqualTo(5);
    }

    @Test
    void parallelismOf_forkJoinPool_isItsParallelism() {
        ForkJoinPool pool = new ForkJoinPool(3);
        pools.add(pool);

        assertThat(DrainingExecutor.parallelismOf(pool)).isEqualTo(3);
    }

    @Test
    void parallelismOf_otherExecutor_isUnbounded() {
        Executor perTask = r -> new Thread(r).start();

        assertThat(DrainingExecutor.parallelismOf(perTask)).isEqualTo(Integer.MAX_VALUE);
    }

    /** Tiny tasks from many threads: drainers retire and start all the time, racing the offers. */
    @Test
    void execute_manyThreadsOfferingWhileDrainersRetire_runsEveryTaskExactlyOnce() throws Exception {
        assertRunsEachOnce(new DrainingExecutor(pool(2)), 6, 40_000);
    }

    @Test
    void execute_manyThreadsOnAForkJoinPool_runsEveryTaskExactlyOnce() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(3);
        pools.add(pool);

        assertRunsEachOnce(new DrainingExecutor(pool), 6, 40_000);
    }

    private static void assertRunsEachOnce(DrainingExecutor drain, int producers, int perProducer)
            throws InterruptedException {
        AtomicIntegerArray runs = new AtomicIntegerArray(producers * perProducer);
        AtomicInteger total = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    int slot = base + i;
                    drain.execute(() -> {
                        runs.incrementAndGet(slot);
                        total.incrementAndGet();
                    });
                    if (i % 1_000 == 0) {
                        Thread.yield(); // let the drainers catch up, empty the queue and retire
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        await().atMost(PATIENCE).until(() -> total.get() >= runs.length() && drain.drainers() == 0);
        for (int i = 0; i < runs.length(); i++) {
            assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
        }
        assertThat(total).hasValue(runs.length());
    }

    /**
     * Each task is offered as soon as the one before ran: just as the drainer that ran it finds
     * the queue empty and retires. A task offered while it still counted as taking one must not
     * be stranded.
     */
    @Test
    void execute_offerWhileTheLastDrainerRetires_taskStillRuns() {
        DrainingExecutor drain = new DrainingExecutor(pool(2));
        AtomicInteger ran = new AtomicInteger();
        for (int i = 1; i <= 30_000; i++) {
            drain.execute(ran::incrementAndGet);
            long giveUp = System.nanoTime() + PATIENCE.toNanos();
            while (ran.get() < i) {
                assertThat(System.nanoTime() - giveUp).as("task %d still waits", i).isNegative();
                Thread.onSpinWait();
            }
        }
        await().atMost(PATIENCE).until(() -> drain.drainers() == 0);
        assertThat(ran).hasValue(30_000);
    }

    @Test
    void execute_oneTaskBlocks_theOthersRunOnTheOtherThread() throws Exception {
        DrainingExecutor drain = new DrainingExecutor(pool(2));
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger done = new AtomicInteger();
        try {
            drain.execute(() -> {
                blocking.countDown();
                await().atMost(PATIENCE).until(() -> release.getCount() == 0);
            });
            blocking.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                drain.execute(done::incrementAndGet);
            }

            await().atMost(PATIENCE).until(() -> done.get() == 50);
            assertThat(drain.drainers()).isBetween(1, 2);
        } finally {
            release.countDown();
        }
        await().atMost(PATIENCE).until(() -> drain.drainers() == 0);
    }

    @Test
    void execute_moreTasksThanOneRun_drainerQueuesBehindTheExecutorsOtherWork() throws Exception {
        ThreadPoolExecutor one = pool(1);
        CountDownLatch gate = new CountDownLatch(1);
        one.execute(() -> awaitQuietly(gate)); // holds the only thread: the drainer waits behind it
        DrainingExecutor drain = new DrainingExecutor(one);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 3 * DrainingExecutor.TASKS_PER_RUN; i++) {
            drain.execute(ran::incrementAndGet);
        }
        AtomicInteger ranBeforeOther = new AtomicInteger(-1);
        one.execute(() -> ranBeforeOther.set(ran.get()));

        gate.countDown();

        await().atMost(PATIENCE).until(() -> ran.get() == 3 * DrainingExecutor.TASKS_PER_RUN);
        assertThat(ranBeforeOther).hasValue(DrainingExecutor.TASKS_PER_RUN);
    }

    @Test
    void execute_executorRunsRequeuedDrainerInline_goesOnWithoutRecursing() {
        List<Runnable> held = new ArrayList<>();
        AtomicInteger inline = new AtomicInteger();
        Executor heldThenDirect = r -> {
            if (inline.get() > 0) {
                r.run();
            } else {
                held.add(r);
            }
        };
        DrainingExecutor drain = new DrainingExecutor(heldThenDirect);
        AtomicInteger ran = new AtomicInteger();
        int maxDepth = Thread.currentThread().getStackTrace().length + 40;
        AtomicInteger deepest = new AtomicInteger();
        for (int i = 0; i < 10 * DrainingExecutor.TASKS_PER_RUN; i++) {
            drain.execute(() -> {
                ran.incrementAndGet();
                deepest.accumulateAndGet(Thread.currentThread().getStackTrace().length, Math::max);
            });
        }
        assertThat(held).hasSize(1); // one drainer, waiting to run: the other offers started none

        inline.set(1);
        held.get(0).run();

        assertThat(ran).hasValue(10 * DrainingExecutor.TASKS_PER_RUN);
        assertThat(deepest.get()).isLessThan(maxDepth);
        assertThat(drain.drainers()).isZero();
    }

    @Test
    void execute_executorRefuses_runsTheTaskInTheCallingThread() {
        DrainingExecutor drain = new DrainingExecutor(r -> {
            throw new RejectedExecutionException("shut down");
        });
        List<Thread> ranOn = new ArrayList<>();

        drain.execute(() -> ranOn.add(Thread.currentThread()));
        drain.execute(() -> ranOn.add(Thread.currentThread()));

        assertThat(ranOn).containsExactly(Thread.currentThread(), Thread.currentThread());
        assertThat(drain.drainers()).isZero();
    }

    @Test
    void execute_executorShutDownNowDroppingTheDrainer_laterTasksRunInTheCallingThread() {
        ThreadPoolExecutor one = pool(1);
        CountDownLatch gate = new CountDownLatch(1);
        one.execute(() -> awaitQuietly(gate)); // holds the only thread: the drainer waits behind it
        DrainingExecutor drain = new DrainingExecutor(one);
        List<Thread> ranOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        drain.execute(() -> ranOn.add(Thread.currentThread()));
        assertThat(one.shutdownNow()).hasSize(1); // the drainer, never to run

        drain.execute(() -> ranOn.add(Thread.currentThread()));

        assertThat(ranOn).containsExactly(Thread.currentThread(), Thread.currentThread());
    }

    @Test
    void execute_taskThrows_nextTaskStillRuns() {
        DrainingExecutor drain = new DrainingExecutor(Runnable::run);
        AtomicInteger ran = new AtomicInteger();

        drain.execute(() -> {
            throw new IllegalStateException("expected by the test");
        });
        drain.execute(ran::incrementAndGet);

        assertThat(ran).hasValue(1);
        assertThat(drain.drainers()).isZero();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
