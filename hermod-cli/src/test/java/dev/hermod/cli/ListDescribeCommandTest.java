package dev.hermod.cli;

import static dev.hermod.cli.CliTesting.JSON;
import static dev.hermod.cli.CliTesting.assertOneErrorLine;
import static dev.hermod.cli.CliTesting.errorLine;
import static dev.hermod.cli.CliTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.cli.CliTesting.Run;

/** {@code hermod list} and {@code hermod describe TARGET [SERVICE[.OPERATION]]}. */
final class ListDescribeCommandTest {
    private static Server server;
    private static String target;

    @BeforeAll
    static void startServer() {
        server = Hermod.server().host("127.0.0.1").port(0)
                .add("greeter", new GreeterImpl())
                .add("second", Greeter.class, new GreeterImpl())
                .start();
        target = "tcp://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void list_printsServicesAndContracts() {
        Run r = run("list", target);

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("greeter  dev.hermod.cli.Greeter\nsecond   dev.hermod.cli.Greeter\n");
    }

    @Test
    void list_json_isAnArrayOfNameAndContract() throws Exception {
        Run r = run("list", "--json", target);

        assertThat(JSON.readTree(r.out())).isEqualTo(JSON.readTree(
                "[{\"name\":\"greeter\",\"contract\":\"dev.hermod.cli.Greeter\"},"
                        + "{\"name\":\"second\",\"contract\":\"dev.hermod.cli.Greeter\"}]"));
    }

    @Test
    void list_serverDown_exits1() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertOneErrorLine(run("list", "127.0.0.1:" + port), 1, "cannot connect to tcp://127.0.0.1:" + port);
    }

    @Test
    void describe_service_printsItsOperationsAndTheFieldsOfItsTypes() {
        Run r = run("describe", target, "greeter");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("service greeter  (dev.hermod.cli.Greeter)\n").doesNotContain("service second")
                .contains("  types:\n")
                .contains("    record Greeter.Person(String name, Greeter.Level level, List<String> tags)\n")
                .contains("    enum Greeter.Level  JUNIOR | SENIOR\n")
                .contains("    record Greeter.Point(int x, int y)\n")
                .contains("    reference Greeter.Listener  (a @Remote interface, passed by reference)\n");
    }

    @Test
    void describe_operation_printsSignatureTypesAndTemplate() {
        Run r = run("describe", target, "greeter.label");

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("""
                String label(Greeter.Person person)
                  operation of service greeter  (dev.hermod.cli.Greeter)

                  record Greeter.Person(String name, Greeter.Level level, List<String> tags)
                  enum Greeter.Level  JUNIOR | SENIOR

                  arguments, for hermod call -d: [{"name":"","level":"JUNIOR","tags":[""]}]
                """);
    }

    @Test
    void describe_serviceJson_isTheServiceWithTypes() throws Exception {
        Run r = run("describe", "--json", target, "greeter");

        JsonNode service = JSON.readTree(r.out());
        assertThat(service.get("name").asText()).isEqualTo("greeter");
        JsonNode person = null;
        for (JsonNode t : service.get("types")) {
            if (t.get("name").asText().equals(Greeter.Person.class.getName())) {
                person = t;
            }
        }
        assertThat(person).isNotNull();
        assertThat(person.get("kind").asText()).isEqualTo("record");
        assertThat(person.get("fields").findValuesAsText("name")).containsExactly("name", "level", "tags");
        assertThat(person.get("fields").get(1).get("type").asText()).isEqualTo(Greeter.Level.class.getName());
    }

    @Test
    void describe_operationJson_hasOperationTypesAndTemplate() throws Exception {
        Run r = run("describe", "--json", target, "greeter.move");

        JsonNode m = JSON.readTree(r.out());
        assertThat(m.get("service").asText()).isEqualTo("greeter");
        assertThat(m.get("operation").get("name").asText()).isEqualTo("move");
        assertThat(m.get("types")).hasSize(1);
        assertThat(m.get("types").get(0).get("name").asText()).isEqualTo(Greeter.Point.class.getName());
        assertThat(m.get("template")).isEqualTo(JSON.readTree("[{\"x\":0,\"y\":0},0]"));
    }

    @Test
    void describe_unknownService_exits1NamingTheServices() {
        Run r = run("describe", target, "nobody");

        assertOneErrorLine(r, 1);
        assertThat(errorLine(r)).isEqualTo("no service 'nobody' on " + target + ": it offers greeter, second"
                + " [SERVICE_NOT_FOUND]");
    }

    @Test
    void describe_unknownOperation_exits1NamingTheOperations() {
        Run r = run("describe", target, "greeter.shout");

        assertOneErrorLine(r, 1);
        assertThat(errorLine(r)).isEqualTo("service greeter has no operation 'shout': it has add, contextValue, greet,"
                + " label, move, ping, sleep, sum, watch [OPERATION_NOT_FOUND]");
    }

    @Test
    void completion_bash_completesSubcommandsAndOptionsInARealShell() throws Exception {
        Run r = run("completion");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains("_complete_hermod");
        java.nio.file.Path script = java.nio.file.Files.createTempFile("hermod-completion", ".bash");
        try {
            java.nio.file.Files.writeString(script, r.out());
            assertThat(complete(script, "hermod de")).containsExactly("demo", "describe");
            assertThat(complete(script, "hermod call --ti")).containsExactly("--timeout");
            assertThat(complete(script, "bin/hermod li")).containsExactly("list");
        } finally {
            java.nio.file.Files.delete(script);
        }
    }

    @Test
    void completion_unknownShell_exits2() {
        assertOneErrorLine(run("completion", "fish"), 2, "unknown shell 'fish': expected bash or zsh");
    }

    /** Runs bash, loads the script and asks it to complete {@code line}: the words it offers. */
    private static List<String> complete(java.nio.file.Path script, String line) throws Exception {
        String words = line.endsWith(" ") ? line + "''" : line;
        String program = "source " + script + "\n"
                + "COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(" + words + ");"
                + " COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "_complete_hermod\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process p = new ProcessBuilder("bash", "-c", program)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).sorted().toList();
    }
}
