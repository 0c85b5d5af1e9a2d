package dev.hermod.internal.invocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link SpinWait}: whether a wait spins, told by how often it looks at the future (a spin looks
 * many times, a wait that does not spin once), never by how long it took.
 */
class SpinWaitTest {
    private static final long FAR = TimeUnit.SECONDS.toNanos(60);

    @Test
    void spins_untilTheFutureIsDone() throws Exception {
        SpinWait spin = new SpinWait(TimeUnit.SECONDS.toNanos(30));
        assumeTrue(SpinWait.MAX_SPINNERS >= 1, "one processor: no thread spins");
        CountingFuture f = new CountingFuture();
        Thread completer = new Thread(() -> {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (f.looks.get() < 1_000 && System.nanoTime() - giveUp < 0) {
                Thread.onSpinWait();
            }
            f.complete("done");
        });
        completer.start();

        spin.spin(f, System.nanoTime() + FAR); // returns once done: the limit is 30 s

        assertThat(f.isDone()).isTrue();
        assertThat(f.looks.get()).isGreaterThan(1_000);
        completer.join();
        assertThat(spin.spinsNext()).isTrue();
    }

    @Test
    void zeroLimit_neverSpins() {
        CountingFuture f = new CountingFuture();

        SpinWait.NEVER.spin(f, System.nanoTime() + FAR);
        new SpinWait(0).spin(f, System.nanoTime() + FAR);

        assertThat(f.looks.get()).isZero();
        assertThat(SpinWait.NEVER.spinsNext()).isFalse();
    }

    @Test
    void outcomesSlowerThanTheLimit_stopTheSpinning_andItTriesAgainLater() {
        assumeTrue(SpinWait.MAX_SPINNERS >= 1, "one processor: no thread spins");
        SpinWait spin = new SpinWait(TimeUnit.MICROSECONDS.toNanos(200));
        CountingFuture never = new CountingFuture();

        int spins = 0;
        while (spin.spinsNext()) {
            spin.spin(never, System.nanoTime() + FAR); // runs out every time
            spins++;
            assertThat(spins).as("spins before it stops").isLessThan(100);
        }
        // From half the limit up by a 32nd per vain spin: 23 of them pass the limit.
        assertThat(spins).isEqualTo(23);

        int skipped = skipsBeforeItTriesAgain(spin, never);
        assertThat(skipped).isBetween(10, 20); // just past the limit: fewer than later
        spin.spin(never, System.nanoTime() + FAR); // tries again, in vain
        assertThat(spin.spinsNext()).isFalse();
        assertThat(skipsBeforeItTriesAgain(spin, never)).isBetween(25, 40); // about thirty: see the class's comment
    }

    private static int skipsBeforeItTriesAgain(SpinWait spin, CountingFuture never) {
        int looks = never.looks.get();
        int skipped = 0;
        while (!spin.spinsNext()) {
            spin.spin(never, System.nanoTime() + FAR);
            skipped++;
            assertThat(skipped).as("waits before it tries again").isLessThan(1_000);
        }
        assertThat(never.looks.get() - looks).as("a wait that does not spin looks once").isEqualTo(skipped);
        return skipped;
    }

    @Test
    void fastOutcomes_keepItSpinning() {
        SpinWait spin = new SpinWait(TimeUnit.MICROSECONDS.toNanos(200));
        for (int i = 0; i < 1_000; i++) {
            spin.spin(CompletableFuture.completedFuture(i), System.nanoTime() + FAR);
        }
        assertThat(spin.spinsNext()).isTrue();
    }

    @Test
    void theCallersOwnDeadline_endsTheSpin_withoutCountingAgainstIt() {
        assumeTrue(SpinWait.MAX_SPINNERS >= 1, "one processor: no thread spins");
        SpinWait spin = new SpinWait(TimeUnit.SECONDS.toNanos(30));
        CountingFuture never = new CountingFuture();

        for (int i = 0; i < 100; i++) {
            spin.spin(never, System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(50)); // returns: the 30 s limit is not what ended it
        }
        spin.spin(never, System.nanoTime() - 1); // already past: looks once, does not spin

        assertThat(spin.spinsNext()).isTrue(); // 100 vain spins of the limit would have stopped it
    }

    @Test
    void atMostHalfTheProcessors_spinAtOnce() throws Exception {
        int spinners = SpinWait.MAX_SPINNERS;
        assertThat(spinners).isEqualTo(Runtime.getRuntime().availableProcessors() / 2);
        SpinWait spin = new SpinWait(TimeUnit.SECONDS.toNanos(30));
        List<CountingFuture> held = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < spinners; i++) {
                CountingFuture f = new CountingFuture();
                held.add(f);
                Thread t = new Thread(() -> spin.spin(f, System.nanoTime() + FAR));
                threads.add(t);
                t.start();
            }
            for (CountingFuture f : held) {
                while (f.looks.get() < 2) { // spinning: looked more than once
                    Thread.onSpinWait();
                }
            }
            CountingFuture extra = new CountingFuture();

            spin.spin(extra, System.nanoTime() + FAR); // every spinner's place is taken: parks at once

            assertThat(extra.looks.get()).isEqualTo(1);
        } finally {
            held.forEach(f -> f.complete("done"));
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    @Test
    void virtualThreads_neverSpin() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21");
        assumeTrue(SpinWait.MAX_SPINNERS >= 1, "one processor: no thread spins");
        SpinWait spin = new SpinWait(TimeUnit.SECONDS.toNanos(30));
        CountingFuture f = new CountingFuture();
        ExecutorService virtual = (ExecutorService) java.util.concurrent.Executors.class
                .getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        try {
            virtual.submit(() -> spin.spin(f, System.nanoTime() + FAR)).get(30, TimeUnit.SECONDS);
        } finally {
            virtual.shutdownNow();
        }
        assertThat(f.looks.get()).isEqualTo(1);
    }

    /** A future that counts how often it is asked whether it is done. */
    private static final class CountingFuture extends CompletableFuture<Object> {
        final AtomicInteger looks = new AtomicInteger();

        @Override
        public boolean isDone() {
            looks.incrementAndGet();
            return super.isDone();
        }
    }
}
