package dev.hermod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hermod.Hermod;
import dev.hermod.Server;
import picocli.CommandLine;

final class HermodCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    /** One in-process run of the command: its status and everything it printed. */
    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        return run(HermodCommand.commandLine(), args);
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static void assertOneErrorLine(Run r, int status, String... fragments) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("hermod: ").contains(fragments).doesNotContain("\tat ");
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
        List<Integer> columns = r.out().lines().filter(l -> l.startsWith("  "))
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
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Run r = run("call", "127.0.0.1:" + closedPort, "greeter", "greet", "\"Ada\"");

        assertOneErrorLine(r, 1, "cannot connect to tcp://127.0.0.1:" + closedPort + ": Connection refused");
    }

    @Test
    void call_async50_reportsAllCallsAndNoFailures() throws Exception {
        Run text = run("call", "--async", "50", target, "greeter", "add", "1", "2");
        Run json = run("call", "--async", "50", "--json", target, "greeter", "add", "1", "2");

        assertThat(text.status()).as(text.toString()).isZero();
        assertThat(text.out()).startsWith("50 calls, 0 failed, ").contains("calls/s");
        assertThat(json.status()).as(json.toString()).isZero();
        JsonNode report = JSON.readTree(json.out());
        assertThat(report.get("calls").asInt()).isEqualTo(50);
        assertThat(report.get("failures").asInt()).isZero();
        assertThat(report.get("seconds").asDouble()).isPositive();
        assertThat(report.get("callsPerSecond").asDouble()).isPositive();
    }

    @Test
    void call_asyncWithFailures_reportsThemAndExits1() {
        Run r = run("call", "--async", "5", target, "greeter", "greet", "\"\"");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).startsWith("5 calls, 5 failed, ");
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
    void noSubcommand_exits2() {
        Run r = run();

        assertOneErrorLine(r, 2, "missing subcommand");
    }
}
