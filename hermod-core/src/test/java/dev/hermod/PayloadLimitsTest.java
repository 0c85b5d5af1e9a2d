package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.codec.PayloadLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The decoder limits as builder settings (issue 14 item 3): each trips with RESOURCE_EXHAUSTED
 * naming it, before anything is decoded; the same connection and another client go on.
 */
final class PayloadLimitsTest {
    private static final PayloadLimits TIGHT = PayloadLimits.defaults().withMaxStringBytes(1_000)
            .withMaxCollectionLength(100).withMaxMapEntries(10);

    private static Echo echoServant() {
        return (Echo) java.lang.reflect.Proxy.newProxyInstance(Echo.class.getClassLoader(),
                new Class<?>[] {Echo.class}, (p, m, a) -> a[0]);
    }

    private static Client client(Server s) {
        return Hermod.client().target("tcp://127.0.0.1:" + s.port()).callTimeout(Duration.ofSeconds(20)).build();
    }

    private static void refused(Runnable call, String naming) {
        assertThatThrownBy(call::run).isInstanceOf(RpcException.class)
                .satisfies(t -> assertThat(((RpcException) t).status()).isEqualTo(Status.RESOURCE_EXHAUSTED))
                .satisfies(t -> assertThat(((RpcException) t).isUnprocessed()).isTrue())
                .hasMessageContaining(naming);
    }

    @Test
    void eachLimit_refusesItsPayload_connectionAndOtherClientsGoOn() {
        try (Server s = Hermod.server().host("127.0.0.1").payloadLimits(TIGHT).add("echo", Echo.class, echoServant())
                        .start();
                Client c = client(s);
                Client other = client(s)) {
            Echo echo = c.proxy(Echo.class, "echo");
            refused(() -> echo.string("x".repeat(2_000)), "longer than 1000 bytes");
            List<Echo.Point> many = new ArrayList<>();
            for (int i = 0; i < 101; i++) {
                many.add(new Echo.Point(i, i, "p"));
            }
            refused(() -> echo.list(many), "more than 100 elements");
            Map<String, List<Integer>> keys = new HashMap<>();
            for (int i = 0; i < 11; i++) {
                keys.put("k" + i, List.of(i));
            }
            refused(() -> echo.map(keys), "more than 10 entries");

            assertThat(echo.string("x".repeat(1_000))).hasSize(1_000);
            assertThat(other.proxy(Echo.class, "echo").ints(7)).isEqualTo(7);
        }
    }

    @Test
    void maxDepth_refusesDeeperPayload() {
        try (Server s = Hermod.server().host("127.0.0.1").payloadLimits(PayloadLimits.defaults().withMaxDepth(2))
                        .add("echo", Echo.class, echoServant()).start();
                Client c = client(s)) {
            Echo echo = c.proxy(Echo.class, "echo");
            // the arguments array, the map, the list: three levels
            refused(() -> echo.map(Map.of("a", List.of(1))), "nesting depth of 2");
            assertThat(echo.ints(3)).isEqualTo(3);
        }
    }

    @Test
    void payloadLimits_withOwnCodec_isAConflict() {
        assertThatThrownBy(() -> Hermod.client().target("tcp://127.0.0.1:1").codec(dev.hermod.internal.codec.JacksonCodec.cbor())
                .payloadLimits(TIGHT).build())
                .isInstanceOf(IllegalStateException.class);
    }
}
