package dev.hermod.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The settings of one benchmark run, as {@link BenchOptions} resolved them from the command line:
 * every default applied and every value checked. Every size and count is bounded, so a run always
 * ends by itself. Immutable.
 *
 * @param scenarios the scenarios to run, in order, without duplicates
 * @param quick whether the short defaults of {@code --quick} apply
 * @param bytes bulk: bytes sent per measured run and per side
 * @param warmupBytes bulk: bytes per warm-up round (0: no warm-up)
 * @param chunk bulk: bytes per {@code send} call
 * @param window bulk: most chunks outstanding at once
 * @param runs bulk: measured runs per side (the median is reported); latency: alternating segments
 * @param calls latency: measured calls per side
 * @param warmupCalls latency: calls per warm-up round (0: no warm-up)
 * @param payload latency and throughput: bytes in each request and each reply
 * @param asyncWindow throughput: most calls outstanding at once
 * @param duration throughput: measuring time per side
 * @param warmup throughput: time per warm-up round (0: no warm-up)
 * @param warmupMax every scenario: longest warm-up per side; rounds repeat until the JIT settles
 * @param fanoutRuns fanout: measured inventories
 */
record Options(List<String> scenarios, boolean quick, long bytes, long warmupBytes, int chunk, int window,
        int runs, int calls, int warmupCalls, int payload, int asyncWindow, Duration duration, Duration warmup,
        Duration warmupMax, int fanoutRuns) {

    /** Largest bulk chunk: stays below Hermod's default 16 MiB frame limit with room for the header. */
    static final int MAX_CHUNK = 8 * 1024 * 1024;
    static final long MAX_BYTES = 64L * 1024 * 1024 * 1024;
    static final int MAX_CALLS = 10_000_000;
    static final int MAX_PAYLOAD = 1024 * 1024;
    static final double MAX_SECONDS = 600;

    /** The settings as one line, for the header of a run. */
    String describe() {
        return String.format(Locale.ROOT,
                "bytes=%d warmup-bytes=%d chunk=%d window=%d runs=%d calls=%d warmup-calls=%d payload=%d"
                        + " async-window=%d seconds=%.2f warmup-seconds=%.2f warmup-max=%.0f fanout-runs=%d%s",
                bytes, warmupBytes, chunk, window, runs, calls, warmupCalls, payload, asyncWindow,
                duration.toNanos() / 1e9, warmup.toNanos() / 1e9, warmupMax.toNanos() / 1e9, fanoutRuns,
                quick ? " (quick)" : "");
    }
}
