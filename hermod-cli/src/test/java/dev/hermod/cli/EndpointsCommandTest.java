package dev.hermod.cli;

import static dev.hermod.cli.CliTesting.JSON;
import static dev.hermod.cli.CliTesting.assertOneErrorLine;
import static dev.hermod.cli.CliTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.cli.CliTesting.Run;

/**
 * {@code hermod endpoints TARGET} (issue 15 item 5), and the other commands taking a target that
 * lists several servers.
 */
final class EndpointsCommandTest {
    private Server server;
    private int closed;

    @BeforeEach
    void start() throws Exception {
        server = Hermod.server().host("127.0.0.1").port(0).add("greeter", new GreeterImpl()).start();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void endpoints_oneUpOneDown_printsEachStateAndExits0() {
        Run r = run("endpoints", "127.0.0.1:" + server.port() + ",127.0.0.1:" + closed);

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out().lines()).hasSize(3);
        assertThat(r.out().lines().toList().get(0)).startsWith("ENDPOINT").contains("STATE", "OUTSTANDING", "LATENCY");
        assertThat(r.out()).containsPattern("127\\.0\\.0\\.1:" + server.port() + " +READY +0 +[0-9.]+ ms")
                .containsPattern("127\\.0\\.0\\.1:" + closed + " +UNREACHABLE +0 +-");
    }

    @Test
    void endpoints_json_listsEveryEndpoint() throws Exception {
        Run r = run("endpoints", "--json", "tcp://127.0.0.1:" + server.port() + ",127.0.0.1:" + closed);

        JsonNode list = JSON.readTree(r.out());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("address").asText()).isEqualTo("127.0.0.1:" + server.port());
        assertThat(list.get(0).get("state").asText()).isEqualTo("READY");
        assertThat(list.get(1).get("state").asText()).isEqualTo("UNREACHABLE");
        assertThat(list.get(1).get("latencyMillis").isNull()).isTrue();
    }

    @Test
    void endpoints_allDown_exits1() {
        Run r = run("endpoints", "127.0.0.1:" + closed);

        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("UNREACHABLE");
    }

    @Test
    void endpoints_malformedList_exits2NamingTheEndpoint() {
        assertOneErrorLine(run("endpoints", "tcp://a:1,,b:2"), 2, "invalid target 'tcp://a:1,,b:2'", "empty endpoint");
        assertOneErrorLine(run("endpoints", "zk://zk1:2181/x"), 2, "no resolver for the scheme 'zk'");
    }

    @Test
    void list_targetListingAServerDown_stillLists() {
        Run r = run("list", "tcp://127.0.0.1:" + closed + ",127.0.0.1:" + server.port());

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains("greeter");
    }
}
