package dev.hermod.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.InvocationCanceledException;
import dev.hermod.examples.vm.InventoryScenario;
import dev.hermod.examples.vm.Vm;
import dev.hermod.examples.vm.VmEvents;
import dev.hermod.examples.vm.VmLab;
import dev.hermod.examples.vm.VmState;
import dev.hermod.examples.vm.VmStateChange;
import dev.hermod.examples.vm.VmsAsync;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code hermod demo}: starts the VM lab in-process and shows what asynchronous invocation buys.
 * First the oVirt SDK's inventory scenario (list the VMs, then the disks, NICs and permissions of
 * each), synchronously and then with every call in flight at once, in a table beside the ideal
 * bound the simulated latency allows; then a VM start with live progress, a start canceled
 * midway, and a subscription to state-change events.
 *
 * <p>With {@code --json}, standard output carries one JSON object with the figures, and the
 * narrative goes to standard error as plain lines.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the VM-management demo: the oVirt inventory scenario synchronously and asynchronously, "
                + "then a VM start with progress, a cancel and state-change events.")
final class DemoCommand implements Callable<Integer> {
    private static final int MIN_VMS = 4;
    private static final int MAX_VMS = 100_000;
    private static final double CANCEL_AT = 0.4;
    private static final int WARM_UP_SYNC_VMS = 10;
    private static final int WARM_UP_ROUNDS = 200;
    private static final int REWARM_ROUNDS = 100;
    private static final Duration WARM_UP_TIME = Duration.ofSeconds(3);
    private static final int ASYNC_RUNS = 11;
    /** The longest the demo waits for anything: far beyond what a healthy lab needs. */
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @Spec
    private CommandSpec spec;

    @Option(names = "--vms", paramLabel = "N", defaultValue = "100",
            description = "number of VMs, " + MIN_VMS + " to " + MAX_VMS + " (default: ${DEFAULT-VALUE})")
    private int vmCount;

    @Option(names = "--latency", paramLabel = "MS", defaultValue = "5",
            description = "simulated backend latency of each call, in milliseconds (default: ${DEFAULT-VALUE})")
    private int latencyMillis;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "4",
            description = "connections the client spreads its calls over (default: ${DEFAULT-VALUE})")
    private int connections;

    @Option(names = "--action-time", paramLabel = "MS", defaultValue = "1000",
            description = "how long a simulated VM start or stop takes, in milliseconds (default: ${DEFAULT-VALUE})")
    private int actionMillis;

    @Option(names = "--json", description = "print one JSON object with the figures; the narrative goes to standard error")
    private boolean json;

    @Mixin
    private VerboseOption verbose;

    /** Where the narrative goes, and whether progress is redrawn in place there. */
    private PrintWriter text;
    private boolean redraw;

    @Override
    public Integer call() throws Exception {
        check(vmCount >= MIN_VMS && vmCount <= MAX_VMS,
                "--vms must be between " + MIN_VMS + " and " + MAX_VMS + ": " + vmCount);
        check(latencyMillis >= 0 && latencyMillis <= 10_000, "--latency must be between 0 and 10000 ms: " + latencyMillis);
        check(connections >= 1 && connections <= 64, "--connections must be between 1 and 64: " + connections);
        check(actionMillis >= 100 && actionMillis <= 60_000,
                "--action-time must be between 100 and 60000 ms: " + actionMillis);
        text = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        redraw = !json && terminal();

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("vms", vmCount);
        report.put("latencyMillis", latencyMillis);
        report.put("connections", connections);
        try (VmLab lab = VmLab.builder().vms(vmCount).latency(Duration.ofMillis(latencyMillis))
                        .actionTime(Duration.ofMillis(actionMillis)).start();
                Client client = Hermod.client().target(lab.target()).connections(connections)
                        .callTimeout(LIMIT).build()) {
            text.printf(Locale.ROOT, "VM lab: %d VMs at %s, %d ms simulated backend latency per call%n",
                    vmCount, lab.target(), latencyMillis);
            text.flush();
            report.put("inventory", inventory(client));

            VmsAsync vms = client.proxy(VmsAsync.class, VmLab.VMS);
            List<String> down = vms.list().value().stream()
                    .filter(vm -> vm.state() == VmState.DOWN).map(Vm::id).toList();
            report.put("start", start(vms, down.get(0)));
            report.put("cancel", cancel(vms, down.get(1)));
            report.put("events", events(vms, down.get(1)));
        }
        if (json) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(Json.write(report, true));
            out.flush();
        }
        return 0;
    }

    private Map<String, Object> inventory(Client client) throws Exception {
        InventoryScenario scenario = new InventoryScenario(client, LIMIT);
        text.printf(Locale.ROOT, "%ninventory: list the VMs, then the disks, NICs and permissions of each "
                + "(%d calls), one call after another, then all at once%n", 1 + 3 * vmCount);
        text.flush();
        // Untimed rounds first, so that compiling the hot paths (the JIT) counts in neither mode; and
        // again after the long synchronous run, which leaves the asynchronous paths cold.
        step("warming up (untimed rounds)");
        scenario.synchronous(WARM_UP_SYNC_VMS);
        warmUpAsynchronous(scenario, WARM_UP_ROUNDS);
        step("synchronous run");
        InventoryScenario.Outcome sync = scenario.synchronous(Integer.MAX_VALUE);
        step("warming up again, then " + ASYNC_RUNS + " asynchronous runs");
        warmUpAsynchronous(scenario, REWARM_ROUNDS);
        // One asynchronous run lasts a few milliseconds, where a scheduling hiccup shows: take the median.
        List<InventoryScenario.Outcome> runs = new ArrayList<>();
        for (int i = 0; i < ASYNC_RUNS; i++) {
            InventoryScenario.Outcome run = scenario.asynchronous();
            if (!run.inventory().equals(sync.inventory())) {
                throw new Failures.CommandFailure("the asynchronous inventory differs from the synchronous one",
                        CommandLine.ExitCode.SOFTWARE, null);
            }
            runs.add(run);
        }
        runs.sort(Comparator.comparingLong(InventoryScenario.Outcome::nanos));
        InventoryScenario.Outcome async = runs.get(runs.size() / 2);
        double syncIdeal = (1 + 3.0 * vmCount) * latencyMillis;
        double asyncIdeal = 2.0 * latencyMillis;
        double speedup = sync.millis() / async.millis();
        text.printf(Locale.ROOT, "  %-24s %6s %12s %9s %12s %9s%n", "mode", "calls", "wall time", "speedup",
                "ideal bound", "vs ideal");
        row("synchronous", sync, 1.0, syncIdeal);
        row("asynchronous, " + connections + (connections == 1 ? " conn" : " conns"), async, speedup, asyncIdeal);
        text.printf(Locale.ROOT, "  (asynchronous: the median of %d runs, from %.1f to %.1f ms)%n", ASYNC_RUNS,
                runs.get(0).millis(), runs.get(runs.size() - 1).millis());
        int disks = 0;
        int nics = 0;
        int permissions = 0;
        for (InventoryScenario.Entry e : sync.inventory()) {
            disks += e.disks().size();
            nics += e.nics().size();
            permissions += e.permissions().size();
        }
        text.printf(Locale.ROOT, "  ideal bound: (1 + 3 x %d) x %d ms one after another; 2 x %d ms all at once "
                + "(the list, then everything else)%n", vmCount, latencyMillis, latencyMillis);
        text.println("  speedup: the synchronous wall time divided by this mode's (higher is better); vs ideal: the"
                + " wall time divided by the ideal bound (1.00x is as fast as the latency allows; lower is better)");
        text.printf(Locale.ROOT, "  both modes found the same inventory: %d VMs, %d disks, %d NICs, %d permissions%n",
                sync.inventory().size(), disks, nics, permissions);
        text.flush();

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("sync", mode(sync, syncIdeal));
        Map<String, Object> asyncFigures = mode(async, asyncIdeal);
        asyncFigures.put("runsMillis", runs.stream().map(r -> round(r.millis())).toList());
        figures.put("async", asyncFigures);
        figures.put("speedup", round(speedup));
        figures.put("sameInventory", true);
        figures.put("disks", disks);
        figures.put("nics", nics);
        figures.put("permissions", permissions);
        return figures;
    }

    /** Says what the inventory is busy with; a terminal keeps only the latest, on one line. */
    private void step(String what) {
        if (redraw) {
            text.print("\r  " + what + "..." + " ".repeat(Math.max(0, 60 - what.length())) + "\r");
        } else {
            text.println("  " + what + "...");
        }
        text.flush();
    }

    private static void warmUpAsynchronous(InventoryScenario scenario, int rounds) throws Exception {
        long end = System.nanoTime() + WARM_UP_TIME.toNanos();
        for (int i = 0; i < rounds && System.nanoTime() - end < 0; i++) {
            scenario.asynchronous();
        }
    }

    private void row(String mode, InventoryScenario.Outcome o, double speedup, double ideal) {
        text.printf(Locale.ROOT, "  %-24s %6d %9.1f ms %8.1fx %9.1f ms %9s%n", mode, o.calls(), o.millis(), speedup,
                ideal, ideal > 0 ? String.format(Locale.ROOT, "%.2fx", o.millis() / ideal) : "-");
    }

    private static Map<String, Object> mode(InventoryScenario.Outcome o, double ideal) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("calls", o.calls());
        m.put("wallMillis", round(o.millis()));
        m.put("idealMillis", round(ideal));
        m.put("vsIdeal", ideal > 0 ? round(o.millis() / ideal) : null);
        return m;
    }

    /** Starts a VM and shows its progress until it is up. */
    private Map<String, Object> start(VmsAsync vms, String id) throws Exception {
        text.printf(Locale.ROOT, "%nstart %s: a long-running operation reporting progress%n", id);
        text.flush();
        ProgressLine line = new ProgressLine(text, redraw, id);
        long begin = System.nanoTime();
        AsyncResult<Vm> started = vms.start(id).onProgress(line::show);
        Vm vm = started.value();
        double millis = (System.nanoTime() - begin) / 1e6;
        line.finish(String.format(Locale.ROOT, "is %s after %.0f ms", vm.state(), millis));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vm", id);
        m.put("state", vm.state().name());
        m.put("wallMillis", round(millis));
        m.put("progressReports", line.reports());
        return m;
    }

    /** Starts a VM, cancels the start midway, and shows what the server made of it. */
    private Map<String, Object> cancel(VmsAsync vms, String id) throws Exception {
        text.printf(Locale.ROOT, "%nstart %s, canceled by the client at %.0f%%%n", id, CANCEL_AT * 100);
        text.flush();
        ProgressLine line = new ProgressLine(text, redraw, id);
        CountDownLatch far = new CountDownLatch(1);
        AsyncResult<Vm> started = vms.start(id).onProgress(p -> {
            line.show(p);
            if (p.fraction() >= CANCEL_AT) {
                far.countDown();
            }
        });
        if (!far.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new Failures.CommandFailure("the start of " + id + " made no progress in " + LIMIT.toSeconds() + " s",
                    CommandLine.ExitCode.SOFTWARE, null);
        }
        boolean canceled = started.cancel();
        String clientSaw;
        try {
            clientSaw = "the start finished before the cancel: " + started.value().state();
        } catch (InvocationCanceledException e) {
            clientSaw = e.getClass().getSimpleName();
        }
        line.finish(canceled ? "start canceled; the client's result failed with " + clientSaw : clientSaw);
        // The cancel travels to the server, which stops the action and rolls the VM back.
        Vm vm = vms.get(id).value();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (vm.state() == VmState.POWERING_UP && System.nanoTime() < deadline) {
            Thread.sleep(10);
            vm = vms.get(id).value();
        }
        List<VmStateChange> history = vms.history(id).value();
        VmStateChange last = history.get(history.size() - 1);
        text.printf(Locale.ROOT, "  server: %s %s -> %s (%s); %s is %s%n", id, last.from(), last.to(), last.reason(),
                id, vm.state());
        text.flush();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vm", id);
        m.put("canceled", canceled);
        m.put("clientSaw", clientSaw);
        m.put("serverState", vm.state().name());
        m.put("serverReason", last.reason());
        return m;
    }

    /** Subscribes to state changes, starts and stops a VM, and prints the events as they arrive. */
    private Map<String, Object> events(VmsAsync vms, String id) throws Exception {
        text.printf(Locale.ROOT, "%nevents: subscribe a listener in this process, then start and stop %s%n", id);
        text.flush();
        Map<String, Object> m = new LinkedHashMap<>();
        List<VmStateChange> heard = new CopyOnWriteArrayList<>();
        VmEvents listener = change -> {
            heard.add(change);
            text.printf(Locale.ROOT, "  event: %s %s -> %s (%s)%n", change.vmId(), change.from(), change.to(),
                    change.reason());
            text.flush();
        };
        try {
            vms.subscribe(listener).value();
        } catch (Exception e) {
            String why = Failures.describe(e).line();
            text.println("  events are not available here: subscribing failed: " + why);
            text.flush();
            m.put("subscribed", false);
            m.put("error", why);
            return m;
        }
        if (vms.get(id).value().state() == VmState.UP) { // the start beat the cancel
            vms.stop(id).value();
            vms.start(id).value();
        } else {
            vms.start(id).value();
            vms.stop(id).value();
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (heard.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10); // oneway events may still be on their way when the replies are in
        }
        vms.unsubscribe(listener).value();
        text.printf(Locale.ROOT, "  %d events received, then unsubscribed%n", heard.size());
        text.flush();
        List<Map<String, Object>> events = new ArrayList<>();
        for (VmStateChange c : heard) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("vm", c.vmId());
            e.put("from", c.from().name());
            e.put("to", c.to().name());
            e.put("reason", c.reason());
            events.add(e);
        }
        m.put("subscribed", true);
        m.put("received", events);
        return m;
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** Whether standard output is a terminal, where a progress bar can be redrawn in place. */
    static boolean terminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // JDK 22+ returns a Console even when output is redirected, and says with isTerminal().
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 17 to 21: a Console exists only when input and output are terminals
        }
    }
}
