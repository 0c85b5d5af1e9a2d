package dev.hermod.cli;

import static dev.hermod.cli.CliTesting.assertOneErrorLine;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.cli.CliTesting.Run;
import picocli.CommandLine;

final class HermodCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static Server server;
    private static String target;

    @BeforeAll
    static void startServer() {
        server = Hermod.server().host("127.0.0.1").port(0).add("greeter", new GreeterImpl()).start();
        target = "tcp://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static Run run(String... args) {
        return CliTesting.run(args);
    }

    private static Run run(CommandLine cl, String... args) {
        return CliTesting.run(cl, args);
    }

    /** A loopback port nothing listens on (it did a moment ago). */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void describe_runningServer_printsOperationsWithTypes() {
        Run r = run("describe", target);

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("service greeter  (dev.hermod.cli.Greeter)")
                .containsPattern("String +greet\\(String name\\) +throws Nobody")
                .contains("add(int a, int b)")
                .contains("Greeter.Point").contains("move(Greeter.Point p, int dx)")
                .contains("[oneway]");
        // The result column is aligned: every operation name starts in the same column.
        List<Integer> columns = r.out().lines().takeWhile(l -> !l.equals("  types:")).filter(l -> l.startsWith("  "))
                .map(l -> {
                    Matcher m = Pattern.compile("^  \\S+\\s+").matcher(l);
                    assertThat(m.find()).isTrue();
                    return m.end();
                }).distinct().toList();
        assertThat(columns).hasSize(1);
    }

    @Test
    void describe_json_hasServicesOperationsAndTypes() throws Exception {
        Run r = run("describe", "--json", target.substring("tcp://".length()));

        assertThat(r.status()).as(r.toString()).isZero();
        JsonNode services = JSON.readTree(r.out());
        assertThat(services.isArray()).isTrue();
        assertThat(services).hasSize(1);
        JsonNode greeter = services.get(0);
        assertThat(greeter.get("name").asText()).isEqualTo("greeter");
        assertThat(greeter.get("contract").asText()).isEqualTo("dev.hermod.cli.Greeter");
        JsonNode greet = null;
        for (JsonNode op : greeter.get("operations")) {
            if (op.get("name").asText().equals("greet")) {
                greet = op;
            }
        }
        assertThat(greet).isNotNull();
        assertThat(greet.get("result").asText()).isEqualTo("java.lang.String");
        assertThat(greet.get("parameters").get(0).get("name").asText()).isEqualTo("name");
        assertThat(greet.get("parameters").get(0).get("type").asText()).isEqualTo("java.lang.String");
        assertThat(greet.get("exceptions").get(0).asText()).isEqualTo("dev.hermod.cli.Nobody");
        assertThat(greet.get("onewayCapable").asBoolean()).isFalse();
    }

    @Test
    void describe_serverDown_exits1WithCannotConnect() throws Exception {
        int closedPort = closedPort();

        Run r = run("describe", "127.0.0.1:" + closedPort);

        assertOneErrorLine(r, 1, "cannot connect to tcp://127.0.0.1:" + closedPort + ": Connection refused");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void describe_serverDownVerbose_addsTheStackTrace() throws Exception {
        int closedPort = closedPort();

        Run r = run("describe", "--verbose", "127.0.0.1:" + closedPort);

        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.err().lines().findFirst()).as(r.toString())
                .hasValue("hermod: cannot connect to tcp://127.0.0.1:" + closedPort + ": Connection refused");
        assertThat(r.err().lines().count()).as(r.toString()).isGreaterThan(1);
        assertThat(r.err()).contains("ConnectionException").contains("\tat ");
    }

    @Test
    void describe_malformedTarget_exits2WithOneLine() {
        for (String bad : List.of("tcp://nowhere", "localhost", "http://localhost:4061", "tcp://localhost:4061/x",
                "tcp://localhost:99999")) {
            Run r = run("describe", bad);

            assertOneErrorLine(r, 2, "invalid target '" + bad + "'", "expected tcp://host:port",
                    "see hermod describe --help");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void describe_malformedTargetVerbose_addsTheStackTrace() {
        Run r = run("describe", "--verbose", "tcp://nowhere");

        assertThat(r.status()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines().findFirst()).hasValueSatisfying(l -> assertThat(l)
                .startsWith("hermod: ").contains("invalid target 'tcp://nowhere'"));
        assertThat(r.err()).contains("\tat ");
    }

    @Test
    void call_string_printsJsonString() {
        Run r = run("call", target, "greeter", "greet", "\"Ada\"");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("\"Hello, Ada\"");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void call_ints_printsNumber() {
        Run r = run("call", target, "greeter", "add", "40", "2");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out().strip()).isEqualTo("42");
    }

    @Test
    void call_recordAsJsonObject_printsObject() throws Exception {
        Run pretty = run("call", target, "greeter", "move", "{\"x\":1,\"y\":2}", "10");
        Run compact = run("call", "--json", target, "greeter", "move", "{\"x\":1,\"y\":2}", "10");

        assertThat(pretty.status()).as(pretty.toString()).isZero();
        assertThat(JSON.readTree(pretty.out())).isEqualTo(JSON.readTree("{\"x\":11,\"y\":2}"));
        assertThat(pretty.out().strip().lines()).hasSizeGreaterThan(1);
        assertThat(compact.out().strip()).isEqualTo("{\"x\":11,\"y\":2}");
    }

    @Test
    void call_declaredException_exits1WithOneLineNamingIt() {
        Run r = run("call", target, "greeter", "greet", "\"\"");

        assertOneErrorLine(r, 1, "dev.hermod.cli.Nobody", "nobody to greet");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void call_declaredExceptionVerbose_addsRemoteTraceback() {
        Run r = run("call", "--verbose", target, "greeter", "greet", "\"\"");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("Remote traceback: dev.hermod.cli.Nobody: nobody to greet");
    }

    @Test
    void call_unknownService_exits1WithOneLine() {
        Run r = run("call", target, "nobody", "greet", "\"Ada\"");

        assertOneErrorLine(r, 1, "nobody", "SERVICE_NOT_FOUND");
    }

    @Test
    void call_unknownOperation_exits1WithOneLine() {
        Run r = run("call", target, "greeter", "shout", "\"Ada\"");

        assertOneErrorLine(r, 1, "shout", "OPERATION_NOT_FOUND");
    }

    @Test
    void call_badJsonArgument_exits2WithOneLine() {
        Run r = run("call", target, "greeter", "greet", "Ada");

        assertOneErrorLine(r, 2, "argument 1 is not JSON: Ada");
    }

    @Test
    void call_badTarget_exits2WithOneLine() {
        Run r = run("call", "tcp://nowhere", "greeter", "greet", "\"Ada\"");

        assertOneErrorLine(r, 2, "invalid target 'tcp://nowhere'");
    }

    @Test
    void call_serverDown_exits1WithCannotConnect() throws Exception {
        int closedPort = closedPort();
        Run r = run("call", "127.0.0.1:" + closedPort, "greeter", "greet", "\"Ada\"");

        assertOneErrorLine(r, 1, "cannot connect to tcp://127.0.0.1:" + closedPort + ": Connection refused");
    }

    @Test
    void call_async50_reportsAllCallsAndNoFailures() throws Exception {
        Run text = run("call", "--async", "50", target, "greeter", "add", "1", "2");
        Run json = run("call", "--async", "50", "--json", target, "greeter", "add", "1", "2");

        assertThat(text.status()).as(text.toString()).isZero();
        assertThat(text.out()).startsWith("warm-up:  50 calls in ").contains("; not counted\nmeasured: 50 calls, 0 failed, ")
                .containsPattern("calls/s; latency p50 [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms");
        assertThat(json.status()).as(json.toString()).isZero();
        JsonNode report = JSON.readTree(json.out());
        assertThat(report.get("calls").asInt()).isEqualTo(50);
        assertThat(report.get("failures").asInt()).isZero();
        assertThat(report.get("seconds").asDouble()).isPositive();
        assertThat(report.get("callsPerSecond").asDouble()).isPositive();
        assertThat(report.get("latencyMillis").get("p50").asDouble()).isPositive();
        assertThat(report.get("latencyMillis").get("p99").asDouble())
                .isGreaterThanOrEqualTo(report.get("latencyMillis").get("p50").asDouble());
        assertThat(report.get("warmup").get("calls").asInt()).isEqualTo(50);
        assertThat(report.get("warmup").get("seconds").asDouble()).isPositive();
    }

    @Test
    void call_asyncWithFailures_reportsThemAndExits1() {
        Run r = run("call", "--async", "5", target, "greeter", "greet", "\"\"");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("measured: 5 calls, 5 failed, ");
        assertOneErrorLine(r, 1, "5 of 5 calls failed", "Nobody");
    }

    /** What a test does with a running {@code hermod serve}: its output so far and its server. */
    interface WhileServing {
        void check(String out, Server started) throws Exception;
    }

    /** Runs {@code hermod serve args} in a thread, checks it while it serves, then closes it: exit 0. */
    private static void serving(WhileServing check, String... args) throws Exception {
        CommandLine cl = HermodCommand.commandLine();
        ServeCommand serve = cl.getSubcommands().get("serve").getCommand();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> status = thread.submit(() -> cl.execute(args));
            Server started = serve.awaitStarted(Duration.ofSeconds(10));
            assertThat(started).isNotNull();
            check.check(out.toString(), started);
            started.close();
            assertThat(status.get(15, TimeUnit.SECONDS)).isZero();
        } finally {
            if (serve.server() != null) {
                serve.server().shutdownNow();
            }
            thread.shutdownNow();
        }
    }

    @Test
    void serve_servantClass_servesUntilClosed() throws Exception {
        serving((out, started) -> {
            Matcher m = Pattern.compile("listening on tcp://127\\.0\\.0\\.1:(\\d+)").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            assertThat(out).contains("service greeterImpl", "service hello");

            String served = "tcp://127.0.0.1:" + m.group(1);
            assertThat(run("call", served, "greeterImpl", "add", "1", "1").out().strip()).isEqualTo("2");
            assertThat(run("call", served, "hello", "greet", "\"Bob\"").out().strip()).isEqualTo("\"Hello, Bob\"");
        }, "serve", "--port", "0", "--host", "127.0.0.1", GreeterImpl.class.getName(),
                GreeterImpl.class.getName() + "=hello");
    }

    @Test
    void serve_noClass_servesTheVmExample() throws Exception {
        serving((out, started) -> {
            assertThat(out).contains("service vms", "service disks", "service nics", "service permissions");

            Run list = run("call", "--json", "tcp://127.0.0.1:" + started.port(), "vms", "list");
            assertThat(list.status()).as(list.err()).isZero();
            assertThat(list.out()).contains("vm-000", "vm-006").doesNotContain("vm-007");
        }, "serve", "--port", "0", "--host", "127.0.0.1", "--vms", "7", "--latency", "1");
    }

    @Test
    void serve_admin_servesTheAdminPageOnLoopback() throws Exception {
        serving((out, started) -> {
            Matcher m = Pattern.compile("admin page on (http://127\\.0\\.0\\.1:\\d+/)").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            assertThat(started.adminAddress()).isPresent();
            assertThat(run("call", "tcp://127.0.0.1:" + started.port(), "vms", "list").status()).isZero();
            try (java.io.InputStream in = java.net.URI.create(m.group(1) + "api/operations").toURL().openStream()) {
                assertThat(JSON.readTree(in).toString()).contains("vms.list");
            }
        }, "serve", "--port", "0", "--host", "127.0.0.1", "--vms", "3", "--latency", "1", "--admin", "0");
    }

    @Test
    void serve_json_printsOneLineWithTargetAndServices() throws Exception {
        serving((out, started) -> {
            assertThat(out.lines()).as(out).hasSize(1);
            JsonNode report = JSON.readTree(out);
            assertThat(report.get("target").asText()).isEqualTo("tcp://127.0.0.1:" + started.port());
            assertThat(report.get("host").asText()).isEqualTo("127.0.0.1");
            assertThat(report.get("port").asInt()).isEqualTo(started.port());
            assertThat(report.get("allInterfaces").asBoolean()).isFalse();
            assertThat(report.get("services")).hasSize(2);
            assertThat(report.get("services").get(0).get("name").asText()).isEqualTo("greeterImpl");
            assertThat(report.get("services").get(0).get("class").asText()).isEqualTo(GreeterImpl.class.getName());
            assertThat(report.get("services").get(1).get("name").asText()).isEqualTo("hello");
            assertThat(report.has("example")).isFalse();

            Run call = run("call", report.get("target").asText(), "hello", "add", "1", "1");
            assertThat(call.out().strip()).as(call.toString()).isEqualTo("2");
        }, "serve", "--json", "--port", "0", "--host", "127.0.0.1", GreeterImpl.class.getName(),
                GreeterImpl.class.getName() + "=hello");
    }

    @Test
    void serve_jsonNoClass_describesTheVmExample() throws Exception {
        serving((out, started) -> {
            JsonNode report = JSON.readTree(out);
            assertThat(report.get("port").asInt()).isEqualTo(started.port());
            assertThat(report.get("example").get("vms").asInt()).isEqualTo(7);
            assertThat(report.get("example").get("latencyMillis").asInt()).isEqualTo(1);
            assertThat(report.get("services").findValuesAsText("name"))
                    .containsExactly("vms", "disks", "nics", "permissions");
        }, "serve", "--json", "--port", "0", "--host", "127.0.0.1", "--vms", "7", "--latency", "1");
    }

    @Test
    void serve_portInUse_exits1WithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(taken.getLocalPort());

            Run servant = run("serve", "--port", port, "--host", "127.0.0.1", GreeterImpl.class.getName());
            Run example = run("serve", "--json", "--port", port, "--host", "127.0.0.1", "--vms", "1");

            for (Run r : List.of(servant, example)) {
                assertOneErrorLine(r, 1, "cannot listen on 127.0.0.1:" + port + ": Address already in use",
                        "--port 0 picks a free port");
                assertThat(r.out()).isEmpty();
            }
        }
    }

    @Test
    void serve_portInUseVerbose_addsTheStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run("serve", "--verbose", "--port", String.valueOf(taken.getLocalPort()), "--host", "127.0.0.1",
                    "--vms", "1");

            assertThat(r.status()).as(r.toString()).isEqualTo(1);
            assertThat(r.err().lines().findFirst()).hasValueSatisfying(l -> assertThat(l)
                    .startsWith("hermod: cannot listen on 127.0.0.1:"));
            assertThat(r.err()).contains("BindException").contains("\tat ");
        }
    }

    @Test
    void serve_noClassAndNoVms_exits2() {
        Run r = run("serve", "--port", "0", "--vms", "0");

        assertOneErrorLine(r, 2, "--vms must be at least 1");
    }

    @Test
    void serve_unknownClass_exits2WithOneLine() {
        Run r = run("serve", "--port", "0", "com.example.Missing");

        assertOneErrorLine(r, 2, "no class com.example.Missing");
    }

    @Test
    void bench_onewayQuick_exits0AndPrintsResults() {
        Run r = run("bench", "oneway", "--quick");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains("RESULT ");
    }

    @Test
    void bench_onewayQuickJson_printsOneObjectWithTheResults() throws Exception {
        Run r = run("bench", "oneway", "--quick", "--json");

        assertThat(r.status()).as(r.toString()).isZero();
        JsonNode report = JSON.readTree(r.out());
        assertThat(report.get("arguments")).isEqualTo(JSON.readTree("[\"oneway\", \"--quick\", \"--json\"]"));
        assertThat(report.get("processors").asInt()).isPositive();
        assertThat(report.get("scenarios")).hasSize(1);
        assertThat(report.get("scenarios").get(0).get("name").asText()).isEqualTo("oneway");
        assertThat(report.get("scenarios").get(0).get("seconds").isNumber()).isTrue();
        JsonNode results = report.get("results");
        assertThat(results.findValuesAsText("name"))
                .containsExactly("oneway.hermod.calls", "oneway.batch.calls", "oneway.events.calls");
        for (JsonNode result : results) {
            assertThat(result.get("scenario").asText()).isEqualTo("oneway");
            assertThat(result.get("unit").asText()).isEqualTo("calls/s");
            assertThat(result.get("value").isNumber()).as(result.toString()).isTrue();
            assertThat(result.get("value").asDouble()).as(result.toString()).isPositive();
        }
        // The lines for people went to standard error, and no RESULT line anywhere.
        assertThat(r.err()).contains("oneway: done in ").doesNotContain("RESULT");
        assertThat(r.out()).doesNotContain("RESULT");
    }

    @Test
    void bench_unknownOption_exits2WithOneLine() {
        Run r = run("bench", "oneway", "--quick", "--bogus", "1");

        assertOneErrorLine(r, 2, "Unknown option: '--bogus'", "see hermod bench --help");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void bench_unknownScenario_exits2WithOneLine() {
        Run r = run("bench", "twoway", "--json");

        assertOneErrorLine(r, 2, "unknown scenario 'twoway': expected all, bulk, latency, throughput, oneway, compression, tls, observed, vthreads, pipeline, stream, scale or fanout",
                "see hermod bench --help");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void bench_noScenario_exits2WithOneLine() {
        Run r = run("bench");

        assertOneErrorLine(r, 2, "name at least one scenario");
    }

    @Test
    void bench_badValueVerbose_addsTheStackTrace() {
        Run r = run("bench", "bulk", "--chunk", "64q", "--verbose");

        assertThat(r.status()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().lines().findFirst())
                .hasValue("hermod: Invalid value for option '--chunk': not a size: '64q' (see hermod bench --help)");
        assertThat(r.err()).contains("\tat ");
    }

    @Test
    void bench_help_listsScenariosAndOptionsWithJsonAndVerbose() {
        Run r = run("bench", "--help");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("Run the benchmarks of hermod-bench against plain sockets.\n"
                + "usage: hermod bench SCENARIO... [OPTIONS]\n")
                .contains("scenarios: all | bulk | latency | throughput | oneway", "--quick", "--bytes=SIZE",
                        "-v, --verbose", "--json", "-h, --help");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void noSubcommand_exits2() {
        Run r = run();

        assertOneErrorLine(r, 2, "missing subcommand");
    }
}
