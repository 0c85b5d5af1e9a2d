package dev.hermod.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

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

    /** Process CPU time and context switches are printed only where the platform tells them. */
    private static List<String> withoutUsage(List<String> results) {
        return results.stream().filter(r -> !r.contains(" cpu-") && !r.contains(" switches/")).toList();
    }

    @Test
    void run_allQuick_everyScenarioChecksOutAndPrintsEachResultOnce() {
        Run run = run("all", "--quick");

        assertThat(run.status()).as(run.err()).isZero();
        List<String> results = namesAndUnits(run);
        assertThat(results).doesNotHaveDuplicates();
        assertThat(withoutUsage(results)).containsExactly(
                "bulk.hermod.throughput MiB/s",
                "bulk.socket.throughput MiB/s",
                "bulk.socket-fresh.throughput MiB/s",
                "bulk.ratio ratio",
                "bulk.ratio.fresh ratio",
                "latency.hermod.p50 us",
                "latency.hermod.p99 us",
                "latency.pooled.p50 us",
                "latency.pooled.p99 us",
                "latency.socket.p50 us",
                "latency.socket.p99 us",
                "latency.p50.ratio ratio",
                "latency.p99.ratio ratio",
                "latency.pooled.p50.ratio ratio",
                "throughput.hermod.calls calls/s",
                "throughput.socket.calls calls/s",
                "throughput.ratio ratio",
                "oneway.hermod.calls calls/s",
                "oneway.batch.calls calls/s",
                "oneway.events.calls calls/s");
        assertThat(results).isSubsetOf(
                "oneway.hermod.calls calls/s", "oneway.batch.calls calls/s", "oneway.events.calls calls/s",
                "bulk.hermod.throughput MiB/s", "bulk.socket.throughput MiB/s",
                "bulk.socket-fresh.throughput MiB/s", "bulk.ratio ratio", "bulk.ratio.fresh ratio",
                "bulk.hermod.cpu cpu-ms/MiB", "bulk.socket.cpu cpu-ms/MiB", "bulk.socket-fresh.cpu cpu-ms/MiB",
                "bulk.hermod.switches switches/chunk", "bulk.socket.switches switches/chunk",
                "bulk.socket-fresh.switches switches/chunk",
                "latency.hermod.p50 us", "latency.hermod.p99 us", "latency.socket.p50 us", "latency.socket.p99 us",
                "latency.pooled.p50 us", "latency.pooled.p99 us",
                "latency.p50.ratio ratio", "latency.p99.ratio ratio", "latency.pooled.p50.ratio ratio",
                "latency.hermod.cpu cpu-us/call", "latency.pooled.cpu cpu-us/call", "latency.socket.cpu cpu-us/call",
                "latency.hermod.switches switches/call", "latency.pooled.switches switches/call",
                "latency.socket.switches switches/call",
                "throughput.hermod.calls calls/s", "throughput.socket.calls calls/s", "throughput.ratio ratio",
                "throughput.hermod.cpu cpu-us/call", "throughput.socket.cpu cpu-us/call",
                "throughput.hermod.switches switches/call", "throughput.socket.switches switches/call");
    }

    @Test
    void run_bulkWithPartialLastChunk_everyByteArrives() {
        Run run = run("bulk", "--quick", "--bytes", "1000003", "--warmup-bytes", "0", "--chunk", "4k",
                "--window", "3", "--runs", "1");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(withoutUsage(namesAndUnits(run))).containsExactly(
                "bulk.hermod.throughput MiB/s", "bulk.socket.throughput MiB/s",
                "bulk.socket-fresh.throughput MiB/s", "bulk.ratio ratio", "bulk.ratio.fresh ratio");
    }

    @Test
    void run_noScenario_printsUsageAndFails() {
        Run run = run("--quick");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("name at least one scenario").contains("usage:");
        assertThat(run.results()).isEmpty();
    }
}
