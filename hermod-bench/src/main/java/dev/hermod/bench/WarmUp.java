package dev.hermod.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Warms one side of a scenario up by repeating a round of work until the JIT compilers have
 * settled: a round during which they spent less than 5% of its wall time compiling. Hermod's
 * call path runs through a lot of code (Netty, Jackson, CompletableFuture); on a machine with few
 * cores the compilers need many seconds for it, and a fixed warm-up would measure the compilers.
 * Bounded by a maximum time; without compilation monitoring, or with a maximum of zero, it runs
 * exactly one round.
 */
final class WarmUp {
    private WarmUp() {}

    /** One round of warm-up work; returns its rate, for the report. */
    interface Round {
        double run() throws Exception;
    }

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    static void run(Report report, String label, String unit, long maxNanos, Round round) throws Exception {
        boolean monitored = JIT != null && JIT.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        int rounds = 0;
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
            if (!monitored || settled || System.nanoTime() - start >= maxNanos) {
                break;
            }
        }
        report.line("%s: warm-up %d round%s in %.1f s; last round %.1f %s with %d ms of JIT compilation in %.0f ms",
                label, rounds, rounds == 1 ? "" : "s", (System.nanoTime() - start) / 1e9, rate, unit, compiling,
                roundNanos / 1e6);
    }
}
