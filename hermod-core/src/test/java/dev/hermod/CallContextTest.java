package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class CallContextTest {

    @Remote
    public interface Probe {
        String describe();
    }

    private static final AtomicReference<Current> seen = new AtomicReference<>();
    private static Server server;
    private static Client client;

    @BeforeAll
    static void start() {
        Probe probe = () -> {
            Current c = Current.get();
            seen.set(c);
            return c.service() + " " + c.operation() + " " + c.context();
        };
        server = Hermod.server().host("127.0.0.1").add("probe", Probe.class, probe).start();
        client = TestServers.client(server);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void current_inServant_describesInvocation() {
        Probe probe = client.proxy(Probe.class, "probe");
        assertThat(probe.describe()).isEqualTo("probe describe {}");
        Current c = seen.get();
        assertThat(c.peer()).isInstanceOf(InetSocketAddress.class);
        assertThat(((InetSocketAddress) c.peer()).getAddress().isLoopbackAddress()).isTrue();
        // Every call has a deadline: the client's default timeout of 30 s.
        assertThat(c.timeRemaining()).hasValueSatisfying(left ->
                assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30)));
    }

    @Test
    void context_perProxyAndPerCall_reachesServant() {
        Probe traced = client.proxy(Probe.class, "probe", CallOptions.defaults().withContext("trace", "t1"));
        assertThat(traced.describe()).isEqualTo("probe describe {trace=t1}");
        Probe both = Hermod.withOptions(traced, o -> o.withContext("user", "ada"));
        assertThat(both.describe()).isEqualTo("probe describe {trace=t1, user=ada}");
        assertThat(traced.describe()).as("the original proxy is unchanged").isEqualTo("probe describe {trace=t1}");
        assertThat(seen.get().context()).isEqualTo(Map.of("trace", "t1"));
    }

    @Test
    void timeout_perCall_travelsAsRemainingTime() {
        Probe quick = Hermod.withOptions(client.proxy(Probe.class, "probe"), o -> o.withTimeout(Duration.ofSeconds(2)));
        quick.describe();
        assertThat(seen.get().timeRemaining()).hasValueSatisfying(left ->
                assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2)));
        assertThat(Hermod.options(quick).timeout()).contains(Duration.ofSeconds(2));
    }

    @Test
    void current_outsideDispatch_throws() {
        assertThatThrownBy(Current::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no remote invocation");
    }

    @Test
    void objectMethods_onProxy_answeredLocallyWithoutServer() {
        try (Client nowhere = Hermod.client("tcp://127.0.0.1:1")) {
            Probe a = nowhere.proxy(Probe.class, "probe");
            Probe b = nowhere.proxy(Probe.class, "probe");
            assertThat(a.toString()).isEqualTo("Probe proxy for service 'probe' at tcp://127.0.0.1:1");
            // Equal when they make the same calls: same client, service, contract, mode and options.
            assertThat(a).isEqualTo(a).isEqualTo(b).hasSameHashCodeAs(b);
            assertThat(a).isNotEqualTo(nowhere.proxy(Probe.class, "other"))
                    .isNotEqualTo(Hermod.withOptions(a, o -> o.withContext("k", "v")))
                    .isNotEqualTo(Hermod.oneway(a));
        }
    }

    @Test
    void withOptions_onNonProxy_throws() {
        assertThatThrownBy(() -> Hermod.withOptions("not a proxy", o -> o))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Hermod proxy");
    }
}
