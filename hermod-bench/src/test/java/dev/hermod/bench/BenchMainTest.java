package dev.hermod.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * Keeps the benchmarks working: runs each scenario in {@code --quick} mode. Each scenario checks
 * its own transfers and replies and fails (exit status 1) on any loss or mismatch; these tests
 * assert that nothing failed and that the output has the documented form, never any timing.
 */
final class BenchMainTest {
    private static final Pattern RESULT = Pattern.compile("RESULT (\\S+) (\\d+(?:\\.\\d+)?) (\\S+)");

    private record Run(int status, String out, String err) {
        List<String> results() {
            return out.lines().filter(l -> l.startsWith("RESULT")).toList();
        }
    }

    private static Run run(String... args) {
        return run(BenchMain.SCENARIOS, args);
    }

    private static Run run(Map<String, BenchMain.Scenario> scenarios, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), scenarios);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static BenchOptions parse(String... args) {
        BenchMain.Standalone command = new BenchMain.Standalone(BenchMain.SCENARIOS, System.out);
        new CommandLine(command).parseArgs(args);
        return command.options;
    }

    /** The real scenarios, but {@code oneway} replaced: cheap, and it can be made to fail. */
    private static Map<String, BenchMain.Scenario> withOneway(BenchMain.Scenario oneway) {
        Map<String, BenchMain.Scenario> scenarios = new LinkedHashMap<>(BenchMain.SCENARIOS);
        scenarios.put("oneway", oneway);
        return scenarios;
    }

    private static final BenchMain.Scenario LOSES_A_CALL = (options, report) -> {
        throw new BenchmarkFailure("the server ran 999 calls of 1000", new IllegalStateException("call 1000 lost"));
    };

    /** The names and units of the RESULT lines, in order; fails on a line of another form. */
    private static List<String> namesAndUnits(Run run) {
        List<String> found = new ArrayList<>();
        for (String line : run.results()) {
            Matcher m = RESULT.matcher(line);
            assertThat(m.matches()).as("RESULT line '%s' has the form 'RESULT name value unit'", line).isTrue();
            found.add(m.group(1) + " " + m.group(3));
        }
        return found;
    }

    /** Process CPU time, context switches and allocations are printed only where the platform tells them. */
    private static List<String> withoutUsage(List<String> results) {
        return results.stream().filter(r -> !r.contains(" cpu-") && !r.contains(" switches/") && !r.endsWith(" B/call"))
                .toList();
    }

    private static final List<String> PIPELINE = List.of("pipeline.sequential.chain ms",
            "pipeline.pipelined.chain ms", "pipeline.roundtrips.saved ratio");
    private static final List<String> STREAM = List.of("stream.1k.hermod.throughput MiB/s",
            "stream.1k.socket.throughput MiB/s", "stream.1k.ratio ratio", "stream.64k.hermod.throughput MiB/s",
            "stream.64k.socket.throughput MiB/s", "stream.64k.ratio ratio");
    private static final List<String> SCALE = List.of("scale.1.calls calls/s", "scale.2.calls calls/s",
            "scale.4.calls calls/s", "scale.2.ratio ratio", "scale.4.ratio ratio");
    private static final List<String> FANOUT = List.of("fanout.median ms", "fanout.worst ms", "fanout.ratio ratio",
            "fanout.within runs", "fanout.timer.late us", "fanout.ratio.timer ratio", "fanout.within.timer runs");
    private static final List<String> VTHREADS = List.of("vthreads.hermod.calls calls/s",
            "vthreads.async.calls calls/s", "vthreads.ratio ratio", "vthreads.heap.peak MiB");

    @Test
    void run_allQuick_everyScenarioChecksOutAndPrintsEachResultOnce() {
        Run run = run("all", "--quick");

        assertThat(run.status()).as(run.err()).isZero();
        List<String> results = namesAndUnits(run);
        assertThat(results).doesNotHaveDuplicates();
        List<String> expected = new java.util.ArrayList<>(List.of(
                "bulk.hermod.throughput MiB/s",
                "bulk.socket.throughput MiB/s",
                "bulk.socket-fresh.throughput MiB/s",
                "bulk.netty.throughput MiB/s",
                "bulk.hermod-buffer.throughput MiB/s",
                "bulk.ratio ratio",
                "bulk.ratio.fresh ratio",
                "bulk.netty.ratio ratio",
                "bulk.buffer.ratio ratio",
                "latency.hermod.p50 us",
                "latency.hermod.p99 us",
                "latency.pooled.p50 us",
                "latency.pooled.p99 us",
                "latency.parked.p50 us",
                "latency.parked.p99 us",
                "latency.async.p50 us",
                "latency.async.p99 us",
                "latency.socket.p50 us",
                "latency.socket.p99 us",
                "latency.netty.p50 us",
                "latency.netty.p99 us",
                "latency.p50.ratio ratio",
                "latency.p99.ratio ratio",
                "latency.pooled.p50.ratio ratio",
                "latency.parked.p50.ratio ratio",
                "latency.async.p50.ratio ratio",
                "latency.netty.p50.ratio ratio",
                "latency.netty.p99.ratio ratio",
                "latency.idle.hermod.p50 us",
                "latency.idle.socket.p50 us",
                "latency.idle.netty.p50 us",
                "latency.idle.ratio ratio",
                "latency.idle.netty.ratio ratio",
                "throughput.hermod.calls calls/s",
                "throughput.socket.calls calls/s",
                "throughput.netty.calls calls/s",
                "throughput.ratio ratio",
                "throughput.netty.ratio ratio",
                "throughput.pool.single.calls calls/s",
                "throughput.pool.adaptive.calls calls/s",
                "throughput.pool.adaptive.connections connections",
                "throughput.pool.ratio ratio",
                "throughput.netty-chained.calls calls/s",
                "throughput.direct.calls calls/s",
                "throughput.direct.ratio ratio",
                "throughput.direct.netty.ratio ratio",
                "throughput.chained.calls calls/s",
                "throughput.chained.ratio ratio",
                "throughput.chained.netty.ratio ratio",
                "oneway.hermod.calls calls/s",
                "oneway.batch.calls calls/s",
                "oneway.events.calls calls/s",
                "compression.off.calls calls/s",
                "compression.lz4.calls calls/s",
                "compression.ratio ratio",
                "tls.plain.p50 us", "tls.tls.p50 us", "tls.plain.p99 us", "tls.tls.p99 us",
                "tls.plain.calls calls/s", "tls.tls.calls calls/s", "tls.throughput.ratio ratio",
                "observed.bare.calls calls/s", "observed.intercepted.calls calls/s", "observed.ratio ratio"));
        if (Runtime.version().feature() >= 21) { // vthreads reports nothing before JDK 21
            expected.addAll(VTHREADS);
        }
        expected.addAll(PIPELINE);
        expected.addAll(STREAM);
        expected.addAll(SCALE);
        expected.addAll(FANOUT);
        assertThat(withoutUsage(results)).containsExactlyElementsOf(expected);
        assertThat(results).isSubsetOf(
                "vthreads.hermod.calls calls/s", "vthreads.async.calls calls/s", "vthreads.ratio ratio",
                "vthreads.heap.peak MiB",
                "pipeline.sequential.chain ms", "pipeline.pipelined.chain ms", "pipeline.roundtrips.saved ratio",
                "stream.1k.hermod.throughput MiB/s", "stream.1k.socket.throughput MiB/s", "stream.1k.ratio ratio",
                "stream.64k.hermod.throughput MiB/s", "stream.64k.socket.throughput MiB/s", "stream.64k.ratio ratio",
                "scale.1.calls calls/s", "scale.2.calls calls/s", "scale.4.calls calls/s", "scale.2.ratio ratio",
                "scale.4.ratio ratio", "fanout.median ms", "fanout.worst ms", "fanout.ratio ratio",
                "fanout.within runs", "fanout.timer.late us", "fanout.ratio.timer ratio", "fanout.within.timer runs",
                "compression.off.calls calls/s", "compression.lz4.calls calls/s", "compression.ratio ratio",
                "tls.plain.p50 us", "tls.tls.p50 us", "tls.plain.p99 us", "tls.tls.p99 us",
                "tls.plain.calls calls/s", "tls.tls.calls calls/s", "tls.throughput.ratio ratio",
                "observed.bare.calls calls/s", "observed.intercepted.calls calls/s", "observed.ratio ratio",
                "oneway.hermod.calls calls/s", "oneway.batch.calls calls/s", "oneway.events.calls calls/s",
                "bulk.hermod.throughput MiB/s", "bulk.socket.throughput MiB/s",
                "bulk.socket-fresh.throughput MiB/s", "bulk.ratio ratio", "bulk.ratio.fresh ratio",
                "bulk.hermod.cpu cpu-ms/MiB", "bulk.socket.cpu cpu-ms/MiB", "bulk.socket-fresh.cpu cpu-ms/MiB",
                "bulk.hermod.switches switches/chunk", "bulk.socket.switches switches/chunk",
                "bulk.socket-fresh.switches switches/chunk", "bulk.netty.throughput MiB/s", "bulk.netty.ratio ratio",
                "bulk.netty.cpu cpu-ms/MiB", "bulk.netty.switches switches/chunk",
                "bulk.hermod-buffer.throughput MiB/s", "bulk.buffer.ratio ratio",
                "bulk.hermod-buffer.cpu cpu-ms/MiB", "bulk.hermod-buffer.switches switches/chunk",
                "latency.hermod.p50 us", "latency.hermod.p99 us", "latency.socket.p50 us", "latency.socket.p99 us",
                "latency.pooled.p50 us", "latency.pooled.p99 us", "latency.netty.p50 us", "latency.netty.p99 us",
                "latency.p50.ratio ratio", "latency.p99.ratio ratio", "latency.pooled.p50.ratio ratio",
                "latency.netty.p50.ratio ratio", "latency.netty.p99.ratio ratio", "latency.netty.cpu cpu-us/call",
                "latency.netty.switches switches/call", "throughput.netty.calls calls/s", "throughput.netty.ratio ratio",
                "throughput.netty.cpu cpu-us/call", "throughput.netty.switches switches/call",
                "latency.hermod.cpu cpu-us/call", "latency.pooled.cpu cpu-us/call", "latency.socket.cpu cpu-us/call",
                "latency.hermod.switches switches/call", "latency.pooled.switches switches/call",
                "latency.socket.switches switches/call",
                "latency.parked.p50 us", "latency.parked.p99 us", "latency.parked.p50.ratio ratio",
                "latency.parked.cpu cpu-us/call", "latency.parked.switches switches/call",
                "latency.async.p50 us", "latency.async.p99 us", "latency.async.p50.ratio ratio",
                "latency.async.cpu cpu-us/call", "latency.async.switches switches/call",
                "latency.idle.hermod.p50 us", "latency.idle.socket.p50 us", "latency.idle.netty.p50 us",
                "latency.idle.ratio ratio", "latency.idle.netty.ratio ratio",
                "throughput.hermod.calls calls/s", "throughput.socket.calls calls/s", "throughput.ratio ratio",
                "throughput.hermod.cpu cpu-us/call", "throughput.socket.cpu cpu-us/call",
                "throughput.hermod.switches switches/call", "throughput.socket.switches switches/call",
                "throughput.hermod.alloc.client B/call", "throughput.hermod.alloc.server B/call",
                "fanout.cpu cpu-us/call", "fanout.alloc B/call",
                "throughput.pool.single.calls calls/s", "throughput.pool.adaptive.calls calls/s",
                "throughput.pool.adaptive.connections connections", "throughput.pool.ratio ratio",
                "throughput.netty-chained.calls calls/s", "throughput.netty-chained.cpu cpu-us/call",
                "throughput.direct.calls calls/s", "throughput.direct.ratio ratio",
                "throughput.direct.netty.ratio ratio", "throughput.direct.cpu cpu-us/call",
                "throughput.direct.alloc.client B/call", "throughput.direct.alloc.server B/call",
                "throughput.chained.calls calls/s", "throughput.chained.ratio ratio",
                "throughput.chained.netty.ratio ratio", "throughput.chained.cpu cpu-us/call",
                "throughput.chained.alloc.client B/call", "throughput.chained.alloc.server B/call");
    }

    @Test
    void run_bulkWithPartialLastChunk_everyByteArrives() {
        Run run = run("bulk", "--quick", "--bytes", "1000003", "--warmup-bytes", "0", "--chunk", "4k",
                "--window", "3", "--runs", "1");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(withoutUsage(namesAndUnits(run))).containsExactly(
                "bulk.hermod.throughput MiB/s", "bulk.socket.throughput MiB/s",
                "bulk.socket-fresh.throughput MiB/s", "bulk.netty.throughput MiB/s",
                "bulk.hermod-buffer.throughput MiB/s", "bulk.ratio ratio", "bulk.ratio.fresh ratio",
                "bulk.netty.ratio ratio", "bulk.buffer.ratio ratio");
    }

    @Test
    void run_fanoutQuick_checksTheInventoryAndCountsRunsWithinTheBound() {
        Run run = run("fanout", "--quick");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(withoutUsage(namesAndUnits(run))).containsExactlyElementsOf(FANOUT);
        assertThat(namesAndUnits(run)).contains("fanout.cpu cpu-us/call", "fanout.alloc B/call");
        // three measured runs with --quick: the count within 1.2 x of the ideal is one of 0 to 3
        assertThat(run.results()).filteredOn(l -> l.startsWith("RESULT fanout.within "))
                .singleElement().asString().matches("RESULT fanout.within [0-3] runs");
        assertThat(run.results()).filteredOn(l -> l.startsWith("RESULT fanout.within.timer "))
                .singleElement().asString().matches("RESULT fanout.within.timer [0-3] runs");
        // the timer runs after its 5 ms, never before: its lateness is not negative
        assertThat(run.results()).filteredOn(l -> l.startsWith("RESULT fanout.timer.late "))
                .singleElement().asString().matches("RESULT fanout.timer.late [0-9]+(\\.[0-9]+)? us");
        assertThat(run.out()).contains("fanout: runs in ms: ", "fanout: a 5 ms timer of a scheduler like the lab's");
    }

    @Test
    void run_noScenario_printsOneLineAndExits2() {
        Run run = run("--quick");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.err()).containsExactly("hermod-bench: name at least one scenario: "
                + "all, bulk, latency, throughput, oneway, compression, tls, observed, vthreads, pipeline, stream, scale or fanout (java -jar hermod-bench.jar --help lists the options)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void run_unknownOption_printsOneLineAndExits2() {
        Run run = run("oneway", "--bogus", "1");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.err()).hasSize(1);
        assertThat(run.err()).startsWith("hermod-bench: Unknown option: '--bogus' (").contains("--help");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void run_help_printsUsageWithEveryOption() {
        Run run = run("--help");

        assertThat(run.status()).isZero();
        assertThat(run.out()).startsWith("usage: java -jar hermod-bench.jar SCENARIO... [OPTIONS]")
                .contains("scenarios: all | bulk | latency | throughput | oneway | compression | tls |", "observed | vthreads | pipeline | stream | scale | fanout", "--quick", "--bytes=SIZE",
                        "--warmup-max=S", "--fanout-runs=N", "-v, --verbose", "-h, --help");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void run_failingScenario_printsOneLineWithoutStackTraceAndExits1() {
        Run run = run(withOneway(LOSES_A_CALL), "oneway", "bulk", "--quick");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err().lines()).as(run.err())
                .containsExactly("hermod-bench: oneway failed: the server ran 999 calls of 1000");
        // bulk, after it, did not run
        assertThat(run.out()).doesNotContain("bulk:");
    }

    @Test
    void run_failingScenarioVerbose_addsTheStackTrace() {
        Run run = run(withOneway(LOSES_A_CALL), "oneway", "--quick", "--verbose");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("hermod-bench: oneway failed: the server ran 999 calls of 1000\n")
                .contains("BenchmarkFailure: the server ran 999 calls of 1000")
                .contains("Caused by: java.lang.IllegalStateException: call 1000 lost")
                .contains("\tat ");
    }

    @Test
    void run_scenarioThrowsUnexpectedly_namesTheExceptionInOneLine() {
        Run run = run(withOneway((options, report) -> {
            throw new java.io.IOException("connection reset\nby peer");
        }), "oneway", "--quick");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err().lines()).as(run.err())
                .containsExactly("hermod-bench: oneway failed: java.io.IOException: connection reset");
    }

    @Test
    void run_listener_receivesLinesResultsAndTheFinishedScenario() throws Exception {
        List<String> lines = new ArrayList<>();
        List<BenchMain.Result> results = new ArrayList<>();
        List<String> finished = new ArrayList<>();
        BenchMain.run(parse("oneway", "--quick").settings(), new BenchMain.Listener() {
            @Override
            public void line(String text) {
                lines.add(text);
            }

            @Override
            public void result(BenchMain.Result result) {
                results.add(result);
            }

            @Override
            public void finished(String scenario, Duration elapsed, OptionalDouble stealPercent) {
                finished.add(scenario);
            }
        }, withOneway((options, report) -> {
            report.line("oneway: %d-byte argument", options.payload());
            report.result("oneway.hermod.calls", 452331.4, "calls/s");
            report.result("oneway.ratio", 0.98765, "ratio");
        }));

        assertThat(results).containsExactly(new BenchMain.Result("oneway", "oneway.hermod.calls", 452331.4, "calls/s"),
                new BenchMain.Result("oneway", "oneway.ratio", 0.98765, "ratio"));
        assertThat(results).extracting(BenchMain.Result::line)
                .containsExactly("RESULT oneway.hermod.calls 452331 calls/s", "RESULT oneway.ratio 0.988 ratio");
        assertThat(lines).contains("oneway: 32-byte argument").anyMatch(l -> l.startsWith("oneway: done in "))
                .noneMatch(l -> l.startsWith("RESULT"));
        assertThat(finished).containsExactly("oneway");
    }

    @Test
    void run_listenerWithBadArguments_throwsIllegalArgument() {
        assertThatThrownBy(() -> BenchMain.run(parse("twoway"), new BenchMain.Listener() {
            @Override
            public void line(String text) {}

            @Override
            public void result(BenchMain.Result result) {}
        })).isInstanceOf(CommandLine.ParameterException.class).hasMessageStartingWith("unknown scenario 'twoway'");
    }
}
