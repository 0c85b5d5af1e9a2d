package dev.hermod.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs Hermod's benchmarks by name: {@code all}, {@code bulk}, {@code latency}, {@code throughput},
 * {@code oneway}.
 * Each measures Hermod and a plain-socket baseline in the same run, on 127.0.0.1, and prints one
 * {@code RESULT <name> <value> <unit>} line per measurement besides lines for people (see
 * {@code hermod-bench/README.md}). Every run is bounded in size and time and ends by itself.
 *
 * <p>Exit status: 0 when every scenario ran and every transfer and reply checked out, 1 when a
 * scenario failed (its numbers are then not printed), 2 for a bad command line.
 */
public final class BenchMain {
    private BenchMain() {}

    /** One benchmark scenario. */
    interface Scenario {
        void run(Options options, Report report) throws Exception;
    }

    /** The scenarios, in the order {@code all} runs them. */
    static final Map<String, Scenario> SCENARIOS;

    static {
        Map<String, Scenario> m = new LinkedHashMap<>();
        m.put("bulk", BulkBenchmark::run);
        m.put("latency", LatencyBenchmark::run);
        m.put("throughput", ThroughputBenchmark::run);
        m.put("oneway", OnewayBenchmark::run);
        SCENARIOS = java.util.Collections.unmodifiableMap(m);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line {@code args}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.println(Options.USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("hermod-bench: " + e.getMessage());
            err.println(Options.USAGE);
            return 2;
        }
        Report report = new Report(out);
        report.line("hermod-bench: Java %s (%s), %s %s, %d processors; loopback 127.0.0.1",
                Runtime.version(), System.getProperty("java.vm.name"), System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors());
        report.line("hermod-bench: %s", options.describe());
        for (String name : options.scenarios()) {
            long start = System.nanoTime();
            Steal before = Steal.now();
            try {
                SCENARIOS.get(name).run(options, report);
            } catch (BenchmarkFailure e) {
                err.println("hermod-bench: " + name + " FAILED: " + e.getMessage());
                if (e.getCause() != null) {
                    e.getCause().printStackTrace(err);
                }
                return 1;
            } catch (Exception e) {
                err.println("hermod-bench: " + name + " FAILED");
                e.printStackTrace(err);
                return 1;
            }
            Steal after = Steal.now();
            double steal = after == null ? -1 : after.percentSince(before);
            report.line("%s: done in %.1f s%s", name, (System.nanoTime() - start) / 1e9, steal < 0 ? ""
                    : String.format(java.util.Locale.ROOT, "; the hypervisor took %.1f%% of the CPU time%s", steal,
                            steal >= 5 ? " (more than 5%: these numbers are not comparable with a quiet run)" : ""));
        }
        return 0;
    }
}
