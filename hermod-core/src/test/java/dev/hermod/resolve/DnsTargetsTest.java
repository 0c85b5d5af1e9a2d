package dev.hermod.resolve;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.heal.Ledger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code dns://} and {@code dns+srv://} targets (issue 15 item 1) against a DNS server on
 * loopback ({@link TestDnsServer}, on Netty's DNS codec) whose records the test changes while
 * calls run; the client looks them up with Netty's DNS resolver. Servers listen on loopback TCP,
 * on 127.0.0.1 and 127.0.0.2 where a name has several addresses.
 */
@Timeout(value = 60, unit = SECONDS)
final class DnsTargetsTest {
    private final List<Server> servers = new ArrayList<>();
    private final List<CountingLedger> ledgers = new ArrayList<>();
    private TestDnsServer dns;
    private Client client;

    @BeforeEach
    void startDns() throws Exception {
        dns = new TestDnsServer();
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        servers.forEach(Server::close);
        dns.close();
    }

    private int server(String host, int port) {
        CountingLedger ledger = new CountingLedger();
        Server s = Hermod.server().host(host).port(port).add("ledger", Ledger.class, ledger).start();
        servers.add(s);
        ledgers.add(ledger);
        return s.port();
    }

    /**
     * Calls until both of the first two servers have served a call, then zeroes their counts:
     * until both endpoints have a connection, the balancer sends calls to the one that has, so
     * a split is counted only from then on.
     */
    private void untilBothServe(Ledger ledger) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            echo(ledger, 1);
            return ledgers.get(0).calls.get() > 0 && ledgers.get(1).calls.get() > 0;
        });
        ledgers.get(0).calls.set(0);
        ledgers.get(1).calls.set(0);
    }

    private static void echo(Ledger ledger, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(ledger.echo(i)).isEqualTo(i);
        }
    }

    @Test
    void addressRecords_eachAnEndpointOnTheTargetsPort() {
        int port = server("127.0.0.1", 0);
        server("127.0.0.2", port); // the same port on another loopback address, as pods of one service
        dns.a("vms.test", "127.0.0.1", "127.0.0.2");
        client = Hermod.client().target("dns://127.0.0.1:" + dns.port() + "/vms.test:" + port)
                .loadBalancing(LoadBalancing.ROUND_ROBIN).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");
        untilBothServe(ledger);

        echo(ledger, 20);

        assertThat(ledgers.get(0).calls.get() + ledgers.get(1).calls.get()).isEqualTo(20);
        assertThat(ledgers.get(0).calls.get()).as("calls to 127.0.0.1").isBetween(9, 11);
        assertThat(client.endpoints()).extracting(e -> e.endpoint().address())
                .containsExactlyInAnyOrder("127.0.0.1:" + port, "127.0.0.2:" + port);
    }

    @Test
    void srvRecords_portsAndWeightsOfTheLowestPriority() {
        int light = server("127.0.0.1", 0);
        int heavy = server("127.0.0.1", 0);
        int backup = server("127.0.0.1", 0);
        dns.a("a.vms.test", "127.0.0.1");
        dns.a("b.vms.test", "127.0.0.1");
        dns.srv("_hermod._tcp.vms.test", new TestDnsServer.Srv(10, 1, light, "a.vms.test"),
                new TestDnsServer.Srv(10, 3, heavy, "b.vms.test"),
                new TestDnsServer.Srv(20, 1, backup, "a.vms.test")); // a lower priority: used only if none of 10
        client = Hermod.client().target("dns+srv://127.0.0.1:" + dns.port() + "/_hermod._tcp.vms.test")
                .loadBalancing(LoadBalancing.WEIGHTED).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");
        untilBothServe(ledger);

        echo(ledger, 40);

        assertThat(ledgers.get(0).calls).as("weight 1").hasValueBetween(9, 11);
        assertThat(ledgers.get(1).calls).as("weight 3").hasValueBetween(29, 31);
        assertThat(ledgers.get(2).calls).as("priority 20").hasValue(0);
    }

    @Test
    void recordsChangedWhileCallsRun_areLookedUpAgain() {
        int port = server("127.0.0.1", 0);
        server("127.0.0.2", port);
        dns.a("vms.test", "127.0.0.1");
        client = Hermod.client().target("dns://127.0.0.1:" + dns.port() + "/vms.test:" + port + "?refresh=1")
                .loadBalancing(LoadBalancing.ROUND_ROBIN).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");
        echo(ledger, 5);
        assertThat(ledgers.get(0).calls).hasValue(5);

        dns.a("vms.test", "127.0.0.1", "127.0.0.2"); // a new pod
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            echo(ledger, 2);
            return ledgers.get(1).calls.get() > 0;
        });
        int queries = dns.queries.get();

        dns.a("vms.test", "127.0.0.2"); // the first pod goes away: its server is left, no call fails
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            int before = ledgers.get(0).calls.get();
            echo(ledger, 4);
            return ledgers.get(0).calls.get() == before;
        });
        assertThat(dns.queries.get()).as("lookups since").isGreaterThan(queries);
    }

    @Test
    void aNameWithNoRecords_failsCallsAtOnceNamingTheTarget() {
        String target = "dns://127.0.0.1:" + dns.port() + "/nothing.test:4061";
        // A deadline far beyond the test's own timeout: the call must fail without waiting for it.
        client = Hermod.client().target(target).callTimeout(Duration.ofMinutes(10)).build();
        assertThatThrownBy(() -> client.proxy(Ledger.class, "ledger").echo(1))
                .isInstanceOf(ConnectionException.class).hasMessageContaining(target)
                .satisfies(e -> assertThat(((ConnectionException) e).isUnprocessed()).isTrue());
    }

    @Test
    void malformedTargets_areRefusedWhenTheClientIsBuilt() {
        assertThatThrownBy(() -> Hermod.client("dns:///vms.test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dns://[dns-server[:port]]/name:port");
        assertThatThrownBy(() -> Hermod.client("dns:///vms.test:99999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> Hermod.client("dns:///vms.test:4061?every=5"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refresh=SECONDS");
        assertThatThrownBy(() -> Hermod.client("dns+srv://"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
