package dev.hermod.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connections take turns on the executor, each within its share (issue 12). */
final class FairSchedulerTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Runnable> rejected = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void execute_oneConnectionWithManyReady_anotherWaitsOneTurnOnly() throws Exception {
        FairScheduler scheduler = new FairScheduler(pool, 1, Integer.MAX_VALUE, rejected::add);
        FairScheduler.Tenant busy = new FairScheduler.Tenant();
        FairScheduler.Tenant quiet = new FairScheduler.Tenant();
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(6);
        scheduler.execute(busy, () -> {
            await(first);
            order.add("busy1");
            all.countDown();
        });
        for (int i = 2; i <= 5; i++) {
            String name = "busy" + i;
            scheduler.execute(busy, () -> {
                order.add(name);
                all.countDown();
            });
        }
        scheduler.execute(quiet, () -> {
            order.add("quiet");
            all.countDown();
        });
        first.countDown();

        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).containsExactly("busy1", "busy2", "quiet", "busy3", "busy4", "busy5");
    }

    @Test
    void execute_oneConnection_neverRunsMoreThanItsShare() throws Exception {
        FairScheduler scheduler = new FairScheduler(pool, 100, 3, rejected::add);
        FairScheduler.Tenant tenant = new FairScheduler.Tenant();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            scheduler.execute(tenant, () -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                sleep(5);
                running.decrementAndGet();
                done.countDown();
            });
        }
        FairScheduler.Tenant other = new FairScheduler.Tenant();
        CountDownLatch otherRan = new CountDownLatch(1);
        scheduler.execute(other, otherRan::countDown);

        assertThat(otherRan.await(1, TimeUnit.SECONDS)).as("another connection runs beside a full share").isTrue();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(peak.get()).isEqualTo(3);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> scheduler.running() == 0); // each gives its permit back after it ran
    }

    @Test
    void execute_onAnExecutorThatRunsInPlace_startsQueuedTasksWithoutRecursing() {
        FairScheduler scheduler = new FairScheduler(Runnable::run, 1, Integer.MAX_VALUE, rejected::add);
        FairScheduler.Tenant tenant = new FairScheduler.Tenant();
        AtomicInteger ran = new AtomicInteger();
        int[] depth = {0};
        int[] maxDepth = {0};
        scheduler.execute(tenant, () -> {
            // While this one holds the only permit, 100,000 more arrive: each queued, then run
            // one after the other by the loop in this thread, not nested in each other.
            for (int i = 0; i < 100_000; i++) {
                scheduler.execute(tenant, () -> {
                    maxDepth[0] = Math.max(maxDepth[0], ++depth[0]);
                    ran.incrementAndGet();
                    depth[0]--;
                });
            }
        });

        assertThat(ran.get()).isEqualTo(100_000);
        assertThat(maxDepth[0]).isEqualTo(1);
        assertThat(scheduler.running()).isZero();
    }

    @Test
    void execute_executorRefuses_taskHandedToTheRejectedHandlerAndPermitReturned() {
        FairScheduler scheduler = new FairScheduler(r -> {
            throw new RejectedExecutionException("full");
        }, 1, 1, rejected::add);
        FairScheduler.Tenant tenant = new FairScheduler.Tenant();
        Runnable a = () -> { };
        Runnable b = () -> { };

        scheduler.execute(tenant, a);
        scheduler.execute(tenant, b);

        assertThat(rejected).containsExactly(a, b);
        assertThat(scheduler.running()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
