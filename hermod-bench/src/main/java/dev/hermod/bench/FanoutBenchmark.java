package dev.hermod.bench;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.examples.vm.InventoryScenario;
import dev.hermod.examples.vm.VmLab;
import dev.hermod.examples.vm.VmsAsync;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The fanout scenario (issue 19 item 5): {@code hermod demo}'s asynchronous inventory, the same
 * code ({@link InventoryScenario}) against the same in-process VM lab over loopback TCP: list
 * {@value #VMS} VMs, then read the disks, NICs and permissions of each, all
 * {@code 3 x }{@value #VMS} calls in flight at once through the asynchronous companions, every
 * call taking {@value #LATENCY_MILLIS} ms on the server. The ideal is the critical path, two
 * latencies; each measured run is compared with it. The first run's inventory must equal the
 * synchronous one, and every run must find as many VMs. Before the warm-up rounds,
 * {@value #LIST_WARM_UP} list calls warm the path only the list takes ({@link #warmListPath});
 * after the runs, the lateness of the lab's kind of timer gives a second ideal, two latencies as
 * they are ({@link #timerLatenessMicros}). Then {@value #COST_RUNS} more inventories give what a
 * call costs in CPU time and heap, both sides and the lab together.
 */
final class FanoutBenchmark {
    static final int VMS = 100;
    static final int LATENCY_MILLIS = 5;
    static final int CONNECTIONS = 4;
    /** Measured inventories by default ({@code --fanout-runs}). */
    static final int RUNS = 10;
    /** The most runs whose times are listed one by one; more are summed up by their deciles. */
    private static final int MAX_LISTED = 20;
    /** Inventories over which {@code fanout.cpu} and {@code fanout.alloc} are measured. */
    static final int COST_RUNS = 100;
    /** A run within this factor of the ideal counts in {@code fanout.within}. */
    static final double WITHIN = 1.2;
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final int WARM_UP_RUNS = 100;
    /** List calls made before the warm-up rounds ({@link #warmListPath}). */
    static final int LIST_WARM_UP = 10_000;
    /** Timer tasks timed for {@code fanout.timer.late}. */
    static final int TIMER_SAMPLES = 100;

    private FanoutBenchmark() {}

    static void run(Options o, Report report) throws Exception {
        int vms = o.quick() ? 10 : VMS;
        int runs = o.fanoutRuns();
        double ideal = 2.0 * LATENCY_MILLIS;
        try (VmLab lab = VmLab.builder().vms(vms).latency(Duration.ofMillis(LATENCY_MILLIS)).start();
                Client client = Hermod.client().target(lab.target()).connections(CONNECTIONS).callTimeout(LIMIT)
                        .build()) {
            InventoryScenario scenario = new InventoryScenario(client, LIMIT);
            report.line("fanout: hermod demo's asynchronous inventory, %d calls (%d VMs) at %d ms each, %d connections;"
                    + " ideal %.0f ms (the list, then everything else at once); %d measured runs", 1 + 3 * vms, vms,
                    LATENCY_MILLIS, CONNECTIONS, ideal, runs);
            List<InventoryScenario.Entry> expected = scenario.synchronous(Integer.MAX_VALUE).inventory();
            if (!o.quick() && !o.warmupMax().isZero()) { // --quick, or no time for warming up: not this either
                warmListPath(report, vms);
            }
            WarmUp.run(report, "fanout", "inventories/s", o.warmupMax().toNanos(), () -> {
                long t0 = System.nanoTime();
                for (int i = 0; i < WARM_UP_RUNS; i++) {
                    check(scenario.asynchronous(), vms);
                }
                return WARM_UP_RUNS / ((System.nanoTime() - t0) / 1e9);
            });
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            List<InventoryScenario.Outcome> measured = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                InventoryScenario.Outcome run = scenario.asynchronous();
                check(run, vms);
                measured.add(run);
            }
            // Checked after the runs: comparing the records the first time compiles their equals,
            // which would otherwise take a processor from the runs after it.
            if (!measured.get(0).inventory().equals(expected)) {
                throw new BenchmarkFailure("the asynchronous inventory differs from the synchronous one");
            }
            double[] millis = measured.stream().mapToDouble(InventoryScenario.Outcome::millis).sorted().toArray();
            report.line("fanout: runs in ms: %s (load average %.1f before, %.1f after)", runs <= MAX_LISTED
                    ? measured.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.millis()))
                            .collect(Collectors.joining(" "))
                    : String.format(Locale.ROOT, "p10 %.1f, p90 %.1f, best %.1f", millis[runs / 10],
                            millis[runs * 9 / 10], millis[0]),
                    loadBefore, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            long within = measured.stream().filter(r -> r.millis() <= WITHIN * ideal).count();
            double median = median(millis);
            report.result("fanout.median", median, "ms");
            report.result("fanout.worst", millis[millis.length - 1], "ms");
            report.result("fanout.ratio", median / ideal, "ratio");
            report.result("fanout.within", within, "runs");
            // The lab's latency is a timer of its backend, which fires late on its own: the
            // critical path with Hermod taking no time at all is two such latencies.
            double late = timerLatenessMicros(o.quick() ? 5 : TIMER_SAMPLES);
            double measuredIdeal = 2 * (LATENCY_MILLIS + late / 1e3);
            report.line("fanout: a %d ms timer of a scheduler like the lab's fires %.0f us late (median of %d);"
                    + " the ideal with that lateness is %.2f ms", LATENCY_MILLIS, late, o.quick() ? 5 : TIMER_SAMPLES,
                    measuredIdeal);
            report.result("fanout.timer.late", late, "us");
            report.result("fanout.ratio.timer", median / measuredIdeal, "ratio");
            report.result("fanout.within.timer",
                    measured.stream().filter(r -> r.millis() <= WITHIN * measuredIdeal).count(), "runs");
            // What a call costs, over more inventories than the timed runs: both sides and the
            // lab's backend are in this JVM, so the figures are all of theirs.
            Usage before = Usage.now();
            Allocation allocatedBefore = Allocation.now();
            long calls = 0;
            for (int i = 0; i < (o.quick() ? 3 : COST_RUNS); i++) {
                InventoryScenario.Outcome run = scenario.asynchronous();
                check(run, vms);
                calls += run.calls();
            }
            Usage used = Usage.now().since(before);
            Allocation allocated = Allocation.now().since(allocatedBefore);
            if (used.cpuNanos() >= 0) {
                report.result("fanout.cpu", used.cpuNanos() / 1e3 / calls, "cpu-us/call");
            }
            if (allocated.client() >= 0 && allocated.server() >= 0) {
                report.result("fanout.alloc", (double) (allocated.client() + allocated.server()) / calls, "B/call");
            }
        }
    }

    /**
     * Runs the list call {@value #LIST_WARM_UP} times, against a lab of its own that answers at
     * once. Only the list takes the path of a large reply (7 KB for 100 VMs: a limits walk and a
     * parser of its own on the client, a growing frame on the server), and an inventory makes one
     * list call to 300 others: after the warm-up rounds, about a thousand, its code was still
     * being compiled. (A list call at once cost 387 to 414 us after 3,000 calls, 107 to 153 us
     * after 20,000.)
     */
    private static void warmListPath(Report report, int vms) throws Exception {
        long t0 = System.nanoTime();
        try (VmLab quick = VmLab.builder().vms(vms).latency(Duration.ZERO).start();
                Client client = Hermod.client().target(quick.target()).connections(CONNECTIONS).callTimeout(LIMIT)
                        .build()) {
            VmsAsync list = client.proxy(VmsAsync.class, VmLab.VMS);
            for (int i = 0; i < LIST_WARM_UP; i++) {
                int found = list.list().value().size();
                if (found != vms) {
                    throw new BenchmarkFailure("the list found " + found + " VMs of " + vms);
                }
            }
        }
        report.line("fanout: %d list calls, to warm the path only the list takes, in %.1f s", LIST_WARM_UP,
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * How late a {@value #LATENCY_MILLIS} ms task of a two-thread {@link ScheduledThreadPoolExecutor}
     * (what {@link VmLab}'s backend is) runs, in microseconds: the median over {@code samples}
     * tasks, one at a time, each timed by the task itself from the moment it was scheduled. Linux
     * lets a sleeping thread wake up to 50 us late by default (its timer slack), and a virtual
     * machine adds its own delay.
     */
    private static double timerLatenessMicros(int samples) throws Exception {
        ScheduledThreadPoolExecutor backend = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "fanout-timer");
            t.setDaemon(true);
            return t;
        });
        try {
            double[] late = new double[samples];
            for (int i = 0; i < samples; i++) {
                long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LATENCY_MILLIS);
                late[i] = backend.schedule(() -> (System.nanoTime() - due) / 1e3, LATENCY_MILLIS,
                        TimeUnit.MILLISECONDS).get();
            }
            Arrays.sort(late);
            return median(late);
        } finally {
            backend.shutdownNow();
        }
    }

    private static void check(InventoryScenario.Outcome run, int vms) {
        if (run.inventory().size() != vms) {
            throw new BenchmarkFailure("the inventory found " + run.inventory().size() + " VMs of " + vms);
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
