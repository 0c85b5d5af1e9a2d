package dev.hermod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code hermod demo}, run in-process against its own VM lab, with small latencies to stay quick. */
final class DemoCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One in-process run of the command: its status and everything it printed. */
    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = HermodCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void demo_smallLab_printsTheTableThenStartCancelAndEvents() {
        Run r = run("demo", "--vms", "8", "--latency", "1", "--action-time", "600", "--connections", "2");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains("VM lab: 8 VMs at tcp://127.0.0.1:")
                .containsPattern("mode +calls +wall time +speedup +ideal bound +vs ideal")
                .contains("vs ideal: the wall time divided by the ideal bound (1.00x is as fast as the latency allows; lower is better)")
                .containsPattern("synchronous +25 +[0-9.]+ ms +1\\.0x +25\\.0 ms +[0-9.]+x")
                .containsPattern("asynchronous, 2 conns +25 +[0-9.]+ ms +[0-9.]+x +2\\.0 ms +[0-9.]+x")
                .contains("both modes found the same inventory: 8 VMs")
                // not a terminal: progress as plain lines, one per phase
                .contains("  vm-000   0% allocating memory\n")
                .contains("  vm-000 100% up\n")
                .doesNotContain("\r")
                .contains("vm-000 is UP after")
                .contains("vm-003 start canceled; the client's result failed with InvocationCanceledException")
                .contains("server: vm-003 POWERING_UP -> DOWN (start canceled at ")
                .contains("  event: vm-003 DOWN -> POWERING_UP (start)\n")
                .contains("  event: vm-003 POWERING_DOWN -> DOWN (stop)\n")
                .contains("4 events received, then unsubscribed");
    }

    @Test
    void demo_json_printsOneObjectWithTheFigures() throws Exception {
        Run r = run("demo", "--json", "--vms", "6", "--latency", "2", "--action-time", "600");

        assertThat(r.status()).as(r.toString()).isZero();
        JsonNode report = JSON.readTree(r.out());
        assertThat(report.get("vms").asInt()).isEqualTo(6);
        assertThat(report.get("latencyMillis").asInt()).isEqualTo(2);
        assertThat(report.get("connections").asInt()).isEqualTo(4);
        JsonNode inventory = report.get("inventory");
        assertThat(inventory.get("sameInventory").asBoolean()).isTrue();
        assertThat(inventory.get("speedup").isNumber()).isTrue();
        assertThat(inventory.get("sync").get("calls").asInt()).isEqualTo(19);
        assertThat(inventory.get("sync").get("idealMillis").asDouble()).isEqualTo(38.0);
        assertThat(inventory.get("sync").get("wallMillis").isNumber()).isTrue();
        assertThat(inventory.get("async").get("calls").asInt()).isEqualTo(19);
        assertThat(inventory.get("async").get("idealMillis").asDouble()).isEqualTo(4.0);
        assertThat(inventory.get("async").get("vsIdeal").isNumber()).isTrue();
        assertThat(inventory.get("async").get("runsMillis")).hasSize(11);
        assertThat(report.get("start").get("state").asText()).isEqualTo("UP");
        assertThat(report.get("start").get("progressReports").asInt()).isPositive();
        JsonNode cancel = report.get("cancel");
        assertThat(cancel.get("canceled").asBoolean()).isTrue();
        assertThat(cancel.get("clientSaw").asText()).isEqualTo("InvocationCanceledException");
        assertThat(cancel.get("serverState").asText()).isEqualTo("DOWN");
        assertThat(cancel.get("serverReason").asText()).startsWith("start canceled at ");
        JsonNode events = report.get("events");
        assertThat(events.get("subscribed").asBoolean()).isTrue();
        assertThat(events.get("received")).hasSize(4);
        assertThat(events.get("received").get(0).get("to").asText()).isEqualTo("POWERING_UP");
        // The narrative went to standard error, as plain lines.
        assertThat(r.err()).contains("inventory:").contains("  vm-000 100% up\n").doesNotContain("\r");
    }

    @Test
    void demo_tooFewVms_exits2WithOneLine() {
        assertOneUsageLine(run("demo", "--vms", "3"), "--vms must be between 4 and 100000: 3");
    }

    @Test
    void demo_negativeLatency_exits2WithOneLine() {
        assertOneUsageLine(run("demo", "--latency", "-1"), "--latency must be between 0 and 10000 ms: -1");
    }

    @Test
    void demo_unknownOption_exits2WithOneLine() {
        assertOneUsageLine(run("demo", "--fast"), "Unknown option: '--fast'");
    }

    private static void assertOneUsageLine(Run r, String fragment) {
        assertThat(r.status()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("hermod: ").contains(fragment).contains("see hermod demo --help");
        assertThat(r.out()).isEmpty();
    }
}
