package dev.hermod.resolve;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.RpcException;
import dev.hermod.Server;
import dev.hermod.Status;
import dev.hermod.heal.Ledger;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 items 1 to 4 in one JVM: targets that list servers, the resolver SPI (a resolver the
 * test drives, one found through {@link java.util.ServiceLoader}), endpoints added and removed
 * while calls run, weights, and a dead endpoint left for a live one. Servers listen on loopback TCP.
 */
@Timeout(value = 60, unit = SECONDS)
final class ResolverTest {
    private final List<Server> servers = new ArrayList<>();
    private final List<CountingLedger> ledgers = new ArrayList<>();
    private Client client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        servers.forEach(Server::close);
    }

    /** Starts a server on loopback and returns its endpoint. */
    private Endpoint server() {
        CountingLedger ledger = new CountingLedger();
        Server s = Hermod.server().host("127.0.0.1").add("ledger", Ledger.class, ledger).start();
        servers.add(s);
        ledgers.add(ledger);
        return Endpoint.of("127.0.0.1", s.port());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void echo(Ledger ledger, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(ledger.echo(i)).isEqualTo(i);
        }
    }

    @Test
    void target_listOfServers_isParsedAndShownInOrder() {
        client = Hermod.client("tcp://[::1]:4061,127.0.0.1:4062,localhost:4063");

        assertThat(client.target()).isEqualTo("tcp://[::1]:4061,127.0.0.1:4062,localhost:4063");
        assertThat(client.endpoints()).extracting(e -> e.endpoint().address())
                .containsExactly("[::1]:4061", "127.0.0.1:4062", "localhost:4063");
        assertThat(client.endpoints()).extracting(EndpointStatus::state).containsOnly(EndpointStatus.State.IDLE);
    }

    @Test
    void target_malformedList_failsNamingTheEndpoint() {
        assertThatThrownBy(() -> Hermod.client("tcp://a:1,,b:2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint 2 of 3").hasMessageContaining("empty endpoint");
        assertThatThrownBy(() -> Hermod.client("tcp://a:1,b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'b' is not host:port");
        assertThatThrownBy(() -> Hermod.client("tls://a:1,b:70000")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'b:70000' is not host:port");
        assertThatThrownBy(() -> Hermod.client("tcp://a:1,A:2,a:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lists a:1 twice");
        assertThatThrownBy(() -> Hermod.client("zk://zk1:2181/hermod/vms")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no resolver for the scheme 'zk'");
        assertThatThrownBy(() -> Hermod.client().resolver(new NameResolver.Provider() {
            @Override
            public String scheme() {
                return "tcp";
            }

            @Override
            public NameResolver newResolver(java.net.URI target, java.util.concurrent.ScheduledExecutorService s) {
                throw new AssertionError();
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Hermod resolves it");
        assertThatThrownBy(() -> Hermod.client().target("test:opaque").resolver(new TestResolver.TestProvider())
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected test://name");
    }

    @Test
    void resolver_setsThatChange_callsFollowThem_aRemovedServerFinishesItsCalls() throws Exception {
        Endpoint a = server();
        Endpoint b = server();
        TestResolver.TestProvider provider = new TestResolver.TestProvider();
        client = Hermod.client().target("test://ledgers").resolver(provider)
                .loadBalancing(LoadBalancing.ROUND_ROBIN).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");

        AsyncResult<Object> early = client.invoke("ledger", "echo", 1); // before the first report: it waits for it
        TestResolver resolver = provider.last;
        await().until(() -> resolver.listener != null);
        resolver.report(a);
        assertThat(((Number) early.get(10, SECONDS)).longValue()).isEqualTo(1);
        assertThat(ledgers.get(0).calls).hasValue(1);

        resolver.report(a, b);
        // Calls go to b once it is connected (in the background, while calls go to a).
        await().until(() -> ledger.echo(0) == 0 && client.endpoints().stream()
                .allMatch(e -> e.state() == EndpointStatus.State.READY));
        int before = ledgers.get(1).calls.get();
        echo(ledger, 10);
        assertThat(ledgers.get(1).calls.get() - before).as("calls to the added server, in turn").isEqualTo(5);

        AsyncResult<Object> slow = client.invoke("ledger", "record", 7); // held in a's servant, or b's
        await().until(() -> ledgers.get(0).entered.getCount() == 0 || ledgers.get(1).entered.getCount() == 0);
        int holder = ledgers.get(0).entered.getCount() == 0 ? 0 : 1;
        Endpoint kept = holder == 0 ? b : a;
        Endpoint removed = holder == 0 ? a : b;
        resolver.report(kept);
        assertThat(client.endpoints()).extracting(e -> e.endpoint().address() + " " + e.state())
                .containsExactly(kept.address() + " " + EndpointStatus.State.READY,
                        removed.address() + " " + EndpointStatus.State.DRAINING);
        int held = ledgers.get(holder).calls.get();
        echo(ledger, 10);
        assertThat(ledgers.get(holder).calls.get()).as("calls to the removed server").isEqualTo(held);
        ledgers.get(holder).release();
        assertThat(((Number) slow.get(10, SECONDS)).longValue()).as("the call in flight on the removed server")
                .isEqualTo(7);
        await().untilAsserted(() -> assertThat(client.endpoints()).extracting(e -> e.endpoint().address())
                .containsExactly(kept.address()));

        client.close();
        assertThat(resolver.closes).hasValue(1);
    }

    @Test
    void resolver_failsBeforeAnySet_callsFailUnavailableNamingTheTargetAndTheCause() throws Exception {
        TestResolver.TestProvider provider = new TestResolver.TestProvider();
        client = Hermod.client().target("test://nowhere").resolver(provider).build();
        AsyncResult<Object> waiting = client.invoke("ledger", "echo", 1);
        await().until(() -> provider.last.listener != null);
        provider.last.fail(new IOException("the registry is down"));

        Throwable failure = catchThrowable(() -> waiting.get(10, SECONDS)).getCause();
        assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining("test://nowhere")
                .hasMessageContaining("the registry is down");
        assertThat(((RpcException) failure).isUnprocessed()).isTrue();
        assertThat(((RpcException) failure).status()).isEqualTo(Status.UNAVAILABLE);
        assertThat(provider.last.refreshes.get()).as("asked to resolve again").isPositive();
    }

    @Test
    void resolver_reportsNoEndpoints_callsFailUnavailable() {
        TestResolver.TestProvider provider = new TestResolver.TestProvider();
        client = Hermod.client().target("test://empty").resolver(provider).build();
        client.endpoints(); // starts the resolver
        provider.last.report();

        assertThatThrownBy(() -> client.proxy(Ledger.class, "ledger").echo(1)).isInstanceOf(ConnectionException.class)
                .hasMessageContaining("test://empty has no endpoints");
    }

    @Test
    void serviceLoader_providerOnTheClassPath_resolvesItsScheme() {
        Endpoint a = server();
        client = Hermod.client("loopback-test://" + a.port());

        echo(client.proxy(Ledger.class, "ledger"), 3);

        assertThat(ledgers.get(0).calls).hasValue(3);
    }

    @Test
    void weighted_threeToOne_callsInProportion() {
        Endpoint a = server();
        Endpoint b = server();
        TestResolver.TestProvider provider = new TestResolver.TestProvider();
        client = Hermod.client().target("test://weighted").resolver(provider)
                .loadBalancing(LoadBalancing.WEIGHTED).build();
        client.endpoints();
        provider.last.report(a.withWeight(3).withAttributes(Map.of("zone", "a")), b.withWeight(1));

        echo(client.proxy(Ledger.class, "ledger"), 400);

        // Smooth weighted round-robin is exact for sequential calls: 300 and 100.
        assertThat(ledgers.get(0).calls.get()).isBetween(295, 305);
        assertThat(ledgers.get(1).calls.get()).isBetween(95, 105);
        assertThat(client.endpoints().get(0).endpoint().attributes()).containsEntry("zone", "a");
    }

    @Test
    void deadEndpoint_callsGoToTheLiveOne_andTheDeadOneIsEjected() throws Exception {
        Endpoint live = server();
        int dead = freePort();
        TestResolver.TestProvider provider = new TestResolver.TestProvider();
        client = Hermod.client().target("test://half").resolver(provider)
                .loadBalancing(LoadBalancing.ROUND_ROBIN).maxAttempts(1).build();
        client.endpoints();
        provider.last.report(Endpoint.of("127.0.0.1", dead), live);

        echo(client.proxy(Ledger.class, "ledger"), 20); // none is retried: failing over costs no attempt

        assertThat(ledgers.get(0).calls).hasValue(20);
        await().untilAsserted(() -> assertThat(client.endpoints().get(0).state())
                .isEqualTo(EndpointStatus.State.UNREACHABLE));
        assertThat(client.endpoints().get(1).state()).isEqualTo(EndpointStatus.State.READY);
        assertThat(provider.last.refreshes.get()).as("asked to resolve again").isPositive();
    }

    @Test
    void goAway_aServerDrains_newCallsLeaveItAtOnce_itsCallInFlightFinishes() throws Exception {
        Endpoint a = server();
        Endpoint b = server();
        client = Hermod.client().target("tcp://" + a.address() + "," + b.address())
                .loadBalancing(LoadBalancing.ROUND_ROBIN).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");
        echo(ledger, 4); // a connection to each
        AsyncResult<Object> slow = client.invoke("ledger", "record", 7);
        await().until(() -> ledgers.get(0).entered.getCount() == 0 || ledgers.get(1).entered.getCount() == 0);
        int holder = ledgers.get(0).entered.getCount() == 0 ? 0 : 1;

        servers.get(holder).shutdown(); // GOAWAY; it waits for the call in its servant
        await().untilAsserted(() -> assertThat(client.endpoints().get(holder).state())
                .isEqualTo(EndpointStatus.State.DRAINING));
        int before = ledgers.get(holder).calls.get();
        echo(ledger, 10);

        assertThat(ledgers.get(holder).calls.get()).as("calls to the draining server").isEqualTo(before);
        ledgers.get(holder).release();
        assertThat(((Number) slow.get(10, SECONDS)).longValue()).as("its call in flight").isEqualTo(7);
    }
}
