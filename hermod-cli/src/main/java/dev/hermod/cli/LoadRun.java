package dev.hermod.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import dev.hermod.Client;
import picocli.CommandLine;

/**
 * {@code hermod call --async N}: fires a warm-up round of identical calls, reported on its own
 * line and not counted, then N calls at once, and reports how many failed, the elapsed time, the
 * throughput and the latency percentiles (p50, p99, max) of the measured round. Latency is from
 * the call to its completion as the client sees it, so it includes the time a call waits behind
 * the others fired with it.
 *
 * <p>On a terminal, and without {@code --json}, a progress bar on standard error counts the
 * completed calls of each round.
 */
final class LoadRun {
    private final Client client;
    private final CallOptions options;
    private final String service;
    private final String operation;
    private final Object[] values;
    private final Duration limit;
    /** Forces the progress bar on or off; null: on when standard error is a terminal. */
    static volatile Boolean progressBar;

    LoadRun(Client client, CallOptions options, String service, String operation, Object[] values, Duration limit) {
        this.client = client;
        this.options = options;
        this.service = service;
        this.operation = operation;
        this.values = values;
        this.limit = limit;
    }

    /** One round: how long it took, its latencies in nanoseconds (completed calls only), its failures. */
    record Round(int calls, double seconds, long[] latencies, int failures, Throwable firstFailure) {
        double rate() {
            return calls / seconds;
        }

        /** The {@code q} quantile of the latencies, in milliseconds (nearest rank). */
        double percentileMillis(double q) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * latencies.length);
            return latencies[Math.max(0, Math.min(latencies.length - 1, rank - 1))] / 1e6;
        }
    }

    int run(int warmupCalls, int calls, boolean json, PrintWriter out, PrintWriter err, Endpoint target)
            throws InterruptedException {
        boolean bar = !json && (progressBar != null ? progressBar : DemoCommand.terminal());
        Round warm = warmupCalls == 0 ? null : round(warmupCalls, bar ? err : null, "warm-up");
        if (warm != null && !json) {
            out.printf(Locale.ROOT, "warm-up:  %d calls in %.3f s (%.0f calls/s), %d failed; not counted%n",
                    warm.calls(), warm.seconds(), warm.rate(), warm.failures());
            out.flush();
        }
        Round r = round(calls, bar ? err : null, "measured");
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("service", service);
            report.put("operation", operation);
            report.put("calls", calls);
            report.put("failures", r.failures());
            report.put("seconds", r.seconds());
            report.put("callsPerSecond", r.rate());
            report.put("latencyMillis", latencies(r));
            if (warm != null) {
                Map<String, Object> w = new LinkedHashMap<>();
                w.put("calls", warm.calls());
                w.put("failures", warm.failures());
                w.put("seconds", warm.seconds());
                w.put("callsPerSecond", warm.rate());
                report.put("warmup", w);
            } else {
                report.put("warmup", null);
            }
            out.println(Json.write(report, false));
        } else {
            out.printf(Locale.ROOT, "measured: %d calls, %d failed, %.3f s, %.0f calls/s;"
                            + " latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    calls, r.failures(), r.seconds(), r.rate(), r.percentileMillis(0.50), r.percentileMillis(0.99),
                    r.percentileMillis(1.0));
        }
        out.flush();
        if (r.failures() > 0) {
            Exception cause = r.firstFailure() instanceof Exception e ? target.explain(e) : null;
            String why = cause == null ? "" : "; first: " + Failures.describe(cause).line();
            throw new Failures.CommandFailure(r.failures() + " of " + calls + " calls failed" + why,
                    CommandLine.ExitCode.SOFTWARE, cause);
        }
        return 0;
    }

    private static Map<String, Object> latencies(Round r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", r.latencies().length == 0 ? null : r.percentileMillis(0.50));
        m.put("p99", r.latencies().length == 0 ? null : r.percentileMillis(0.99));
        m.put("max", r.latencies().length == 0 ? null : r.percentileMillis(1.0));
        return m;
    }

    private Round round(int calls, PrintWriter bar, String label) throws InterruptedException {
        long[] latencies = new long[calls];
        boolean[] failed = new boolean[calls];
        CountDownLatch done = new CountDownLatch(calls);
        AtomicInteger completed = new AtomicInteger();
        List<AsyncResult<Object>> results = new ArrayList<>(calls);
        Thread drawer = bar == null ? null : startBar(bar, label, calls, completed);
        long start = System.nanoTime();
        try {
            for (int i = 0; i < calls; i++) {
                int index = i;
                long sent = System.nanoTime();
                AsyncResult<Object> r = client.invoke(options, service, operation, values);
                r.onComplete((value, failure) -> {
                    latencies[index] = System.nanoTime() - sent;
                    failed[index] = failure != null;
                    completed.incrementAndGet();
                    done.countDown();
                });
                results.add(r);
            }
            // Each call has its own deadline; the extra second only covers the report reaching us.
            if (!done.await(limit.toNanos() + 1_000_000_000L, TimeUnit.NANOSECONDS)) {
                results.forEach(r -> r.cancel());
                done.await(1, TimeUnit.SECONDS);
            }
        } finally {
            if (drawer != null) {
                drawer.interrupt();
                drawer.join(1000);
                bar.print("\r" + " ".repeat(60) + "\r");
                bar.flush();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int failures = 0;
        Throwable first = null;
        long[] ok = new long[calls];
        int n = 0;
        for (int i = 0; i < calls; i++) {
            AsyncResult<Object> r = results.get(i);
            if (failed[i] || r.isFailed() || r.isCancelled() || !r.isDone()) {
                failures++;
                if (first == null) {
                    first = r.error().orElse(null);
                }
            } else {
                ok[n++] = latencies[i];
            }
        }
        long[] sorted = Arrays.copyOf(ok, n);
        Arrays.sort(sorted);
        return new Round(calls, seconds, sorted, failures, first);
    }

    /** Redraws {@code label [#####.....] done/calls} every 100 ms until interrupted. */
    private static Thread startBar(PrintWriter err, String label, int calls, AtomicInteger completed) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    err.print("\r" + bar(label, completed.get(), calls));
                    err.flush();
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                // the round is over
            }
        }, "hermod-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** One frame of the progress bar. */
    static String bar(String label, int done, int total) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        return String.format(Locale.ROOT, "%-8s [%s%s] %d/%d", label, "#".repeat(filled), ".".repeat(width - filled),
                done, total);
    }
}
