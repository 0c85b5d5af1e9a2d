package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.resolve.EndpointStatus;
import dev.hermod.resolve.LoadBalancing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 items 1, 3 and 5: one client, three server processes listed in its target. Calls are
 * spread by the policy (counted by each server's servant), a sticky proxy and oneway calls keep
 * to one server, and {@link Client#endpoints()} shows the three. The processes serve every test;
 * none is stopped here ({@link ReplicaFailoverTest} kills and drains them).
 */
@Timeout(value = 120, unit = SECONDS)
final class ReplicasTest {
    private static final int CALLS = 600;
    private static final List<ServerProcess> servers = new ArrayList<>();
    private static String target;
    private static final AtomicLong seq = new AtomicLong();
    private Client client;

    @BeforeAll
    static void startServers() throws Exception {
        for (int i = 0; i < 3; i++) {
            servers.add(ServerProcess.start(0));
        }
        target = "tcp://" + servers.stream().map(ServerProcess::address).collect(Collectors.joining(","));
    }

    @AfterAll
    static void stopServers() throws Exception {
        for (ServerProcess s : servers) {
            s.close();
        }
    }

    @AfterEach
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    /** Makes {@code n} sequential echo calls and returns how many each server received. */
    private static List<Integer> spread(Ledger ledger, int n) {
        long first = seq.get() + 1;
        for (int i = 0; i < n; i++) {
            long s = seq.incrementAndGet();
            assertThat(ledger.echo(s)).isEqualTo(s);
        }
        long last = seq.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> counts(first, last).stream().mapToInt(c -> c).sum() == n);
        return counts(first, last);
    }

    private static List<Integer> counts(long first, long last) {
        List<Integer> counts = new ArrayList<>();
        for (ServerProcess s : servers) {
            counts.add((int) s.received().stream().filter(x -> x >= first && x <= last).count());
        }
        return counts;
    }

    @Test
    void roundRobin_sequentialCalls_eachServerGetsAThird() {
        client = Hermod.client().target(target).loadBalancing(LoadBalancing.ROUND_ROBIN).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");
        // Every endpoint connected first: while one's first connection opens, the policy passes
        // it by, and on a loaded machine that took 24 calls of 600 (CI of 897d254).
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            ledger.echo(seq.incrementAndGet());
            return client.endpoints().stream().allMatch(e -> e.state() == EndpointStatus.State.READY);
        });

        List<Integer> counts = spread(ledger, CALLS);

        // In turn, one call each: 200 each; a few calls of slack.
        assertThat(counts).as("calls per server").allSatisfy(c -> assertThat(c).isBetween(190, 210));
    }

    @Test
    void powerOfTwoChoices_sequentialCalls_spreadOverEveryServer() {
        client = Hermod.client(target); // the default policy

        List<Integer> counts = spread(client.proxy(Ledger.class, "ledger"), CALLS);

        // No call outstanding when the next starts: ties, broken at random. 200 expected each,
        // standard deviation about 12; 5 of them either way.
        assertThat(counts).as("calls per server").allSatisfy(c -> assertThat(c).isBetween(140, 260));
    }

    @Test
    void powerOfTwoChoices_oneSlowServer_getsFewerCallsThanItsShare() throws Exception {
        try (ServerProcess slow = ServerProcess.start(0, Duration.ofMillis(300))) {
            client = Hermod.client(target + "," + slow.address());
            Semaphore window = new Semaphore(16);
            long first = seq.get() + 1;
            for (int i = 0; i < CALLS; i++) {
                window.acquire();
                AsyncResult<Object> r = client.invoke("ledger", "echo", seq.incrementAndGet());
                r.whenComplete((v, e) -> window.release());
            }
            assertThat(window.tryAcquire(16, 60, SECONDS)).isTrue();

            long slowCalls = slow.received().stream().filter(x -> x >= first).count();
            // Round-robin would give it a quarter (150); its calls stay outstanding 300 ms, so
            // the policy sends most calls to the three others. Under load the others are slow
            // too (77 of 600 were seen with 100 ms on a loaded machine): a third of its share.
            assertThat(slowCalls).as("calls to the slow server, of %d", CALLS).isLessThan(CALLS / 12);
        }
    }

    @Test
    void sticky_callsOfOneProxy_allGoToOneServer() {
        client = Hermod.client(target);
        Ledger sticky = Hermod.sticky(client.proxy(Ledger.class, "ledger"));

        List<Integer> counts = spread(sticky, 60);

        assertThat(counts).as("calls per server").containsOnlyOnce(60).filteredOn(c -> c != 60).containsOnly(0);
    }

    @Test
    void oneway_callsOfTheClient_goToOneServerInOrder() {
        client = Hermod.client(target);
        Ledger oneway = Hermod.oneway(client.proxy(Ledger.class, "ledger"));
        long first = seq.get() + 1;
        for (int i = 0; i < 200; i++) {
            oneway.note(seq.incrementAndGet());
        }
        long last = seq.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> counts(first, last).contains(200));

        ServerProcess home = servers.get(counts(first, last).indexOf(200));
        List<Long> got = home.receivedInOrder().stream().filter(x -> x >= first && x <= last).toList();
        assertThat(got).isSorted().hasSize(200);
    }

    @Test
    void endpoints_afterCalls_listsEachServerReadyWithItsLatency() {
        client = Hermod.client().target(target).loadBalancing(LoadBalancing.ROUND_ROBIN).build();
        assertThat(client.endpoints()).extracting(EndpointStatus::state).containsOnly(EndpointStatus.State.IDLE);

        spread(client.proxy(Ledger.class, "ledger"), 30);

        List<EndpointStatus> endpoints = client.endpoints();
        assertThat(endpoints).extracting(e -> e.endpoint().address())
                .containsExactlyElementsOf(servers.stream().map(ServerProcess::address).toList());
        assertThat(endpoints).allSatisfy(e -> {
            assertThat(e.state()).isEqualTo(EndpointStatus.State.READY);
            assertThat(e.outstandingCalls()).isZero();
            assertThat(e.recentLatency()).isPresent();
        });
    }
}
