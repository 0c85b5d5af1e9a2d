package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.health.Health;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reserved health service over loopback TCP, flipped by its owner and by the server's drain. */
final class HealthTest {
    private Server server;
    private Client client;
    private Health health;

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl())
                .add("hub", Hub.class, new HubImpl()).start();
        client = TestServers.client(server);
        health = client.proxy(Health.class, Health.SERVICE);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void check_everyBoundService_isServing_andUnknownOnesSaySo() {
        assertThat(health.check("")).isEqualTo(Health.State.SERVING);
        assertThat(health.check("employees")).isEqualTo(Health.State.SERVING);
        assertThat(health.check("nobody")).isEqualTo(Health.State.SERVICE_UNKNOWN);
        assertThat(health.checkAll()).containsExactly(Map.entry("", Health.State.SERVING),
                Map.entry("employees", Health.State.SERVING), Map.entry("hub", Health.State.SERVING));
    }

    @Test
    void setServing_false_isReported_andTrueRestoresIt() {
        server.health().setServing("employees", false);
        assertThat(health.check("employees")).isEqualTo(Health.State.NOT_SERVING);
        assertThat(health.check("hub")).isEqualTo(Health.State.SERVING);

        server.health().setServing("", false);
        assertThat(health.checkAll()).containsOnlyKeys("", "employees", "hub")
                .allSatisfy((name, state) -> assertThat(state).isEqualTo(Health.State.NOT_SERVING));

        server.health().setServing("", true);
        server.health().setServing("employees", true);
        assertThat(health.check("employees")).isEqualTo(Health.State.SERVING);
    }

    @Test
    void drain_makesEveryServiceNotServing() {
        assertThat(server.health().state("hub")).isEqualTo(Health.State.SERVING);
        server.shutdown();
        assertThat(server.health().state("")).isEqualTo(Health.State.NOT_SERVING);
        assertThat(server.health().state("hub")).isEqualTo(Health.State.NOT_SERVING);
    }

    @Test
    void setServing_unknownService_isRefused() {
        assertThatThrownBy(() -> server.health().setServing("nobody", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nobody");
    }

    @Test
    void binding_theReservedName_isRefused() {
        assertThatThrownBy(() -> Hermod.server().host("127.0.0.1").add(Health.SERVICE, Hub.class, new HubImpl())
                .start()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }

    @Test
    void describe_doesNotListTheHealthService() throws Exception {
        assertThat(client.describe().get()).extracting(d -> d.name()).containsExactly("employees", "hub");
    }
}
