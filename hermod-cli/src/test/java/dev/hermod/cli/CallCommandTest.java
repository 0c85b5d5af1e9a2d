package dev.hermod.cli;

import static dev.hermod.cli.CliTesting.JSON;
import static dev.hermod.cli.CliTesting.assertOneErrorLine;
import static dev.hermod.cli.CliTesting.errorLine;
import static dev.hermod.cli.CliTesting.run;
import static dev.hermod.cli.CliTesting.runWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.cli.CliTesting.Run;

/** {@code hermod call}: where arguments come from, what is checked before calling, context and deadline. */
final class CallCommandTest {
    private static Server server;
    private static String target;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() {
        server = Hermod.server().host("127.0.0.1").port(0).add("greeter", new GreeterImpl()).start();
        target = "tcp://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static void assertPrints(Run r, String json) {
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out().strip()).as(r.toString()).isEqualTo(json);
        assertThat(r.err()).isEmpty();
    }

    private static void assertUsageError(Run r, String message) {
        assertOneErrorLine(r, 2, "see hermod call --help");
        assertThat(errorLine(r)).isEqualTo(message);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void call_dataFileHoldingOneString_keepsItsQuotes() throws Exception {
        Path file = Files.writeString(dir.resolve("name.json"), "\"vm-002\"\n");

        assertPrints(run("call", target, "greeter", "greet", "-d", "@" + file), "\"Hello, vm-002\"");
    }

    @Test
    void call_dataFileHoldingAnArray_givesEachArgument() throws Exception {
        Path file = Files.writeString(dir.resolve("args.json"), "[40, 2]");

        assertPrints(run("call", target, "greeter", "add", "-d", "@" + file), "42");
    }

    @Test
    void call_dataInline_arrayOrValuesOneAfterAnother() {
        assertPrints(run("call", target, "greeter", "add", "-d", "[40, 2]"), "42");
        assertPrints(run("call", target, "greeter", "add", "-d", "40 2"), "42");
        assertPrints(run("call", target, "greeter", "sum", "-d", "[[1, 2, 3]]"), "6");
    }

    @Test
    void call_dataFromStandardInput_readsTheArguments() {
        assertPrints(runWithInput("[{\"x\": 1, \"y\": 2}, 10]", "call", "--json", target, "greeter", "move", "-d", "@-"),
                "{\"x\":11,\"y\":2}");
    }

    @Test
    void call_dashArgument_readsOneValueFromStandardInput() {
        assertPrints(runWithInput("  \"Ada\"\n", "call", target, "greeter", "greet", "-"), "\"Hello, Ada\"");
    }

    @Test
    void call_dashArgumentNotJson_exits2Plainly() {
        Run r = runWithInput("Ada\n", "call", target, "greeter", "greet", "-");

        assertThat(errorLine(r)).startsWith("argument 1 is not JSON: (standard input) Ada (Unrecognized token 'Ada'");
        assertOneErrorLine(r, 2);
    }

    @Test
    void call_atArgument_isNotExpandedAndPointsAtDashD() throws Exception {
        Path file = Files.writeString(dir.resolve("name.json"), "\"Ada\"");

        Run r = run("call", target, "greeter", "greet", "@" + file);

        assertOneErrorLine(r, 2, "argument 1 is not JSON: @" + file, "to read the arguments from a file use -d @" + file);
    }

    @Test
    void call_dataAndArgs_exits2() {
        assertUsageError(run("call", target, "greeter", "add", "-d", "[1, 2]", "3"),
                "give the arguments either as ARGS or with -d, not both");
    }

    @Test
    void call_dataFileMissing_exits2() {
        assertUsageError(run("call", target, "greeter", "greet", "-d", "@" + dir.resolve("none.json")),
                "no such file: " + dir.resolve("none.json"));
    }

    @Test
    void call_dataNotJson_exits2() {
        Run r = run("call", target, "greeter", "greet", "-d", "{oops");

        assertOneErrorLine(r, 2, "the arguments in -d are not JSON (");
    }

    @Test
    void call_contextEntries_reachTheServant() {
        assertPrints(run("call", "-H", "user=alice", "--context", "tenant=t1", target, "greeter", "contextValue",
                "\"user\""), "\"alice\"");
        assertPrints(run("call", "-H", "user=alice", "-H", "tenant=t1", target, "greeter", "contextValue",
                "\"tenant\""), "\"t1\"");
    }

    @Test
    void call_contextWithoutEquals_exits2() {
        Run r = run("call", "-H", "user", target, "greeter", "contextValue", "\"user\"");

        assertOneErrorLine(r, 2, "KEY=VALUE");
    }

    @Test
    void call_timeoutShorterThanTheOperation_exits1WithTimeout() {
        Run r = run("call", "--timeout", "0.3", target, "greeter", "sleep", "3000");

        assertOneErrorLine(r, 1, "[TIMEOUT]");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void call_tooFewArguments_exits2BeforeCalling() {
        assertUsageError(run("call", target, "greeter", "greet"),
                "operation greet takes 1 argument (String name), got 0");
        assertUsageError(run("call", target, "greeter", "add", "1"),
                "operation add takes 2 arguments (int a, int b), got 1");
        assertUsageError(run("call", target, "greeter", "ping", "1"), "operation ping takes no arguments, got 1");
    }

    @Test
    void call_arrayForTheOneListParameter_hintsAtDoubleBrackets() {
        assertUsageError(run("call", target, "greeter", "sum", "-d", "[1, 2, 3]"),
                "operation sum takes 1 argument (List<Integer> values), got 3 (a JSON array given to -d holds the"
                        + " arguments: for one array argument write [[...]])");
    }

    @Test
    void call_numberForString_exits2NamingTheParameter() {
        assertUsageError(run("call", target, "greeter", "greet", "42"),
                "parameter 1 (String name): expected a string, got the number 42 (quote it: '\"42\"')");
    }

    @Test
    void call_stringForInt_exits2NamingTheParameter() {
        assertUsageError(run("call", target, "greeter", "add", "\"1\"", "2"),
                "parameter 1 (int a): expected an integer, got the string \"1\"");
    }

    @Test
    void call_nullForInt_exits2() {
        assertUsageError(run("call", target, "greeter", "add", "null", "2"),
                "parameter 1 (int a): expected an integer, got null");
    }

    @Test
    void call_recordFieldsChecked_enumUnknownFieldAndNested() {
        assertPrints(run("call", target, "greeter", "label", "{\"name\": \"Ada\", \"level\": \"SENIOR\", \"tags\": [\"x\"]}"),
                "\"Ada (SENIOR) [x]\"");
        assertUsageError(run("call", target, "greeter", "label", "{\"name\": \"Ada\", \"level\": \"BOSS\"}"),
                "parameter 1 (Greeter.Person person) at level: expected one of JUNIOR, SENIOR, got the string \"BOSS\"");
        assertUsageError(run("call", target, "greeter", "label", "{\"nmae\": \"Ada\"}"),
                "parameter 1 (Greeter.Person person): unknown field 'nmae' of Greeter.Person (fields: name, level, tags)");
        assertUsageError(run("call", target, "greeter", "label", "{\"name\": \"Ada\", \"tags\": [\"a\", 2]}"),
                "parameter 1 (Greeter.Person person) at tags[1]: expected a string, got the number 2 (quote it: '\"2\"')");
        assertUsageError(run("call", target, "greeter", "label", "[]"),
                "parameter 1 (Greeter.Person person): expected an object (record Greeter.Person), got an array");
    }

    @Test
    void call_referenceParameter_exits2SayingItCannotBePassed() {
        assertUsageError(run("call", target, "greeter", "watch", "{}"),
                "parameter 1 (Greeter.Listener listener) is an object reference (Greeter.Listener), which a call"
                        + " from the command line cannot pass");
    }

    @Test
    void call_template_printsExampleArgumentsThatCallSucceeds() throws Exception {
        Run template = run("call", "--template", target, "greeter", "label");

        assertThat(template.status()).as(template.toString()).isZero();
        assertThat(JSON.readTree(template.out())).isEqualTo(JSON.readTree(
                "[{\"name\": \"\", \"level\": \"JUNIOR\", \"tags\": [\"\"]}]"));
        Path file = Files.writeString(dir.resolve("template.json"), template.out());
        assertPrints(run("call", target, "greeter", "label", "-d", "@" + file), "\" (JUNIOR) []\"");
    }

    @Test
    void call_templateJson_isOneLine() {
        assertPrints(run("call", "--template", "--json", target, "greeter", "move"), "[{\"x\":0,\"y\":0},0]");
    }

    @Test
    void call_asyncWithoutWarmup_printsOnlyTheMeasuredLine() {
        Run r = run("call", "--async", "20", "--warmup", "0", target, "greeter", "add", "1", "2");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("measured: 20 calls, 0 failed, ").doesNotContain("warm-up");
    }

    @Test
    void call_asyncOnATerminal_drawsAProgressBarOnStandardError() {
        LoadRun.progressBar = true;
        try {
            Run r = run("call", "--async", "20", target, "greeter", "sleep", "200");

            assertThat(r.status()).as(r.toString()).isZero();
            assertThat(r.err()).contains("\rwarm-up  [").contains("\rmeasured [").contains("/20");
            assertThat(r.out()).doesNotContain("[");
        } finally {
            LoadRun.progressBar = null;
        }
    }

    @Test
    void bar_halfDone_fillsHalf() {
        assertThat(LoadRun.bar("measured", 50, 100)).isEqualTo("measured [" + "#".repeat(15) + ".".repeat(15) + "] 50/100");
    }

    @Test
    void call_warmupWithoutAsync_exits2() {
        assertUsageError(run("call", "--warmup", "5", target, "greeter", "add", "1", "2"), "--warmup goes with --async");
    }
}
