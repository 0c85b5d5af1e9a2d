package dev.hermod.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-offs from an I/O thread ({@link Transport#handOff}): the tasks of one turn of its event
 * loop reach each executor as one task, in order, on a real event loop.
 */
final class IoThreadTest {
    private final EventLoopGroup group = Transport.newGroup(1, "io-thread-test", false);

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Counts the tasks it is given and runs them on its own thread. */
    private static final class Counting implements Executor {
        final List<Runnable> given = Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.ExecutorService thread =
                java.util.concurrent.Executors.newSingleThreadExecutor(new io.netty.util.concurrent.DefaultThreadFactory(
                        "io-thread-test-executor", true));

        @Override
        public void execute(Runnable task) {
            given.add(task);
            thread.execute(task);
        }

        /** Returns once every task given so far has run. */
        void drain() throws Exception {
            thread.submit(() -> { }).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void tasksOfOneTurn_reachTheExecutorAsOneTask_inOrder() throws Exception {
        Counting executor = new Counting();
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(10);
        int[] givenWithinTheTurn = {-1};
        group.next().execute(() -> {
            for (int i = 0; i < 10; i++) {
                int n = i;
                Transport.handOff(executor, () -> {
                    ran.add(n);
                    done.countDown();
                });
            }
            givenWithinTheTurn[0] = executor.given.size();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(givenWithinTheTurn[0]).isZero(); // nothing went before the turn ended
        assertThat(ran).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(executor.given).hasSize(1);
    }

    @Test
    void aTurnWithMoreThanTheBatch_handsOffInParts() throws Exception {
        Counting executor = new Counting();
        int n = 2 * IoThread.MAX_BATCH + 22;
        CountDownLatch done = new CountDownLatch(n);
        group.next().execute(() -> {
            for (int i = 0; i < n; i++) {
                Transport.handOff(executor, done::countDown);
            }
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.given).hasSize(3);
    }

    @Test
    void batchesReusedTurnAfterTurn_runEachTaskOnce_inOrder_andAreReused() throws Exception {
        Counting executor = new Counting();
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        int turns = 200;
        List<Integer> expected = new ArrayList<>();
        int total = 0;
        for (int t = 0; t < turns; t++) {
            int size = 2 + (t * 7) % (IoThread.MAX_BATCH - 1); // large turns, then smaller ones, in a batch used before
            for (int i = 0; i < size; i++) {
                expected.add(total++);
            }
        }
        CountDownLatch done = new CountDownLatch(total);
        int first = 0;
        for (int t = 0; t < turns; t++) {
            int size = 2 + (t * 7) % (IoThread.MAX_BATCH - 1);
            int from = first;
            CountDownLatch turnRan = new CountDownLatch(size);
            group.next().execute(() -> {
                for (int i = 0; i < size; i++) {
                    int n = from + i;
                    Transport.handOff(executor, () -> {
                        ran.add(n);
                        turnRan.countDown();
                        done.countDown();
                    });
                }
            });
            assertThat(turnRan.await(10, TimeUnit.SECONDS)).isTrue(); // ran: its batch can go back
            first += size;
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        executor.drain(); // a task run twice, by a batch reused with stale tasks, would have run by now
        assertThat(ran).containsExactlyElementsOf(expected);
        assertThat(executor.given).hasSize(turns);
        java.util.Set<Runnable> distinct = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        distinct.addAll(executor.given);
        assertThat(distinct).hasSizeLessThan(turns / 4); // reused, not made anew each turn
    }

    @Test
    void tasksForTwoExecutors_keepTheirOrderAcrossTheSwitches() throws Exception {
        Counting a = new Counting();
        Counting b = new Counting();
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(4);
        group.next().execute(() -> {
            Transport.handOff(a, () -> { ran.add("a1"); done.countDown(); });
            Transport.handOff(a, () -> { ran.add("a2"); done.countDown(); });
            Transport.handOff(b, () -> { ran.add("b1"); done.countDown(); });
            Transport.handOff(a, () -> { ran.add("a3"); done.countDown(); });
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(a.given).hasSize(2); // [a1, a2], then [a3] after b's
        assertThat(b.given).hasSize(1);
        assertThat(ran.indexOf("a1")).isLessThan(ran.indexOf("a2"));
        assertThat(ran.indexOf("a2")).isLessThan(ran.indexOf("a3"));
    }

    @Test
    void aTaskThatThrows_doesNotKeepTheOthersFromRunning() throws Exception {
        List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
        Executor executor = task -> {
            Thread t = new Thread(task, "io-thread-test-worker");
            t.setUncaughtExceptionHandler((thread, e) -> reported.add(e));
            t.start();
        };
        CountDownLatch done = new CountDownLatch(2);
        group.next().execute(() -> {
            Transport.handOff(executor, done::countDown);
            Transport.handOff(executor, () -> {
                throw new IllegalStateException("boom");
            });
            Transport.handOff(executor, done::countDown);
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> reported.size() == 1);
        assertThat(reported.get(0)).hasMessage("boom");
    }

    @Test
    void anExecutorThatRefuses_hasItsTasksRunOnTheCommonPool_neverOnTheIoThread() throws Exception {
        Executor refusing = task -> {
            throw new RejectedExecutionException("shut down");
        };
        List<Thread> ranOn = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(2);
        group.next().execute(() -> {
            for (int i = 0; i < 2; i++) {
                Transport.handOff(refusing, () -> {
                    ranOn.add(Thread.currentThread());
                    done.countDown();
                });
            }
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ranOn).allMatch(t -> t instanceof ForkJoinWorkerThread);
    }

    @Test
    void eventLoopThreads_areIoThreads() throws Exception {
        assertThat(group.next().submit(Transport::onIoThread).get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void fromAnotherThread_eachTaskGoesAtOnce() throws Exception {
        Counting executor = new Counting();
        CountDownLatch done = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            Transport.handOff(executor, done::countDown);
        }
        assertThat(executor.given).hasSize(3);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Transport.onIoThread()).isFalse();
    }
}
