package dev.hermod.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Warms one side of a scenario up by repeating a round of work until the JIT compilers have
 * settled: {@value #SETTLED_ROUNDS} rounds in a row during each of which they spent less than 5%
 * of its wall time compiling. Hermod's call path runs through a lot of code (Netty, Jackson,
 * CompletableFuture); on a machine with few cores the compilers need many seconds for it, and a
 * fixed warm-up would measure the compilers. Bounded by a maximum time; without compilation
 * monitoring, or with a maximum of zero, it runs exactly one round.
 *
 * <p>Why several rounds: the compilers work in bursts (a method reaching the next tier, a
 * recompilation after a deoptimization), and one quiet round is often followed by more of them.
 * With one settled round, hermod-bench's {@code stream} ended its warm-up of 64 KiB items after
 * 6 and 11 rounds and its measured Hermod runs read 795 to 1,432 MiB/s, the compiler threads
 * taking about a third of the samples of a profile of the whole scenario; with three, 24 and 25
 * rounds and 1,318 to 1,593 MiB/s (two runs each, alternating).
 */
final class WarmUp {
    private WarmUp() {}

    /** One round of warm-up work; returns its rate, for the report. */
    interface Round {
        double run() throws Exception;
    }

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    /** Quiet rounds in a row that end a warm-up. */
    static final int SETTLED_ROUNDS = 3;

    static void run(Report report, String label, String unit, long maxNanos, Round round) throws Exception {
        boolean monitored = JIT != null && JIT.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        int rounds = 0;
        int settledRounds = 0;
        double rate;
        long compiling;
        long roundNanos;
        while (true) {
            long jitBefore = monitored ? JIT.getTotalCompilationTime() : 0;
            long t0 = System.nanoTime();
            rate = round.run();
            roundNanos = System.nanoTime() - t0;
            compiling = monitored ? JIT.getTotalCompilationTime() - jitBefore : 0;
            rounds++;
            boolean settled = compiling * 1_000_000 < roundNanos / 20;
            settledRounds = settled ? settledRounds + 1 : 0;
            if (!monitored || settledRounds == SETTLED_ROUNDS || System.nanoTime() - start >= maxNanos) {
                break;
            }
        }
        report.line("%s: warm-up %d round%s in %.1f s; last round %.1f %s with %d ms of JIT compilation in %.0f ms",
                label, rounds, rounds == 1 ? "" : "s", (System.nanoTime() - start) / 1e9, rate, unit, compiling,
                roundNanos / 1e6);
    }
}
