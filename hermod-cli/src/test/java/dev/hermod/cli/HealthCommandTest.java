package dev.hermod.cli;

import static dev.hermod.cli.CliTesting.JSON;
import static dev.hermod.cli.CliTesting.assertOneErrorLine;
import static dev.hermod.cli.CliTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.cli.CliTesting.Run;

/** {@code hermod health TARGET [SERVICE]}: prints the states, exits non-zero unless serving. */
final class HealthCommandTest {
    private Server server;
    private String target;

    @BeforeEach
    void startServer() {
        server = Hermod.server().host("127.0.0.1").port(0)
                .add("greeter", new GreeterImpl())
                .add("second", Greeter.class, new GreeterImpl())
                .start();
        target = "tcp://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void health_serving_printsEveryServiceAndExits0() {
        Run r = run("health", target);

        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("(server)  SERVING\ngreeter   SERVING\nsecond    SERVING\n");
    }

    @Test
    void health_serverTakenOut_exits1() throws Exception {
        server.health().setServing("", false);
        Run r = run("health", "--json", target);

        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(JSON.readTree(r.out())).isEqualTo(JSON.readTree(
                "{\"\":\"NOT_SERVING\",\"greeter\":\"NOT_SERVING\",\"second\":\"NOT_SERVING\"}"));
    }

    @Test
    void health_oneService_notServingOrUnknown_exits1_otherServiceStill0() {
        server.health().setServing("second", false);

        Run notServing = run("health", target, "second");
        assertThat(notServing.status()).isEqualTo(1);
        assertThat(notServing.out()).isEqualTo("NOT_SERVING\n");
        Run unknown = run("health", target, "nobody");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.out()).isEqualTo("SERVICE_UNKNOWN\n");
        Run serving = run("health", target, "greeter");
        assertThat(serving.status()).as(serving.toString()).isZero();
        assertThat(serving.out()).isEqualTo("SERVING\n");
    }

    @Test
    void health_serverDown_exits1() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertOneErrorLine(run("health", "127.0.0.1:" + port), 1, "cannot connect to tcp://127.0.0.1:" + port);
    }
}
