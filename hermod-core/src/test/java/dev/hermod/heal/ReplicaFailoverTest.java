package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.RpcException;
import dev.hermod.Status;
import dev.hermod.resolve.EndpointStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15 item 4: three server processes behind one client, under load from several threads;
 * one is killed, or drained (GOAWAY), mid-load. No idempotent call is lost, and no call fails
 * that a server never ran: they went to the others. When no server is left, calls fail at once
 * with {@code UNAVAILABLE} naming the target.
 */
@Timeout(value = 180, unit = SECONDS)
final class ReplicaFailoverTest {
    /** How one call ended. */
    record Outcome(String kind, Throwable failure) {}

    private final List<ServerProcess> servers = new ArrayList<>();
    private final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean running = true;
    private final List<Thread> load = new ArrayList<>();
    private Client client;

    @AfterEach
    void cleanUp() throws Exception {
        running = false;
        for (Thread t : load) {
            t.join(SECONDS.toMillis(60));
        }
        if (client != null) {
            client.close();
        }
        for (ServerProcess s : servers) {
            s.close();
        }
    }

    private Ledger startThree() throws Exception {
        for (int i = 0; i < 3; i++) {
            servers.add(ServerProcess.start(0));
        }
        client = Hermod.client().target("tcp://" + servers.stream().map(ServerProcess::address)
                .collect(Collectors.joining(","))).callTimeout(Duration.ofSeconds(30)).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");
        for (int t = 0; t < 4; t++) {
            boolean idempotent = t % 2 == 0;
            Thread thread = new Thread(() -> {
                while (running) {
                    long s = seq.incrementAndGet();
                    try {
                        long back = idempotent ? ledger.echo(s) : ledger.record(s);
                        assertThat(back).isEqualTo(s);
                        outcomes.put(s, new Outcome(idempotent ? "echo" : "record", null));
                    } catch (RuntimeException e) {
                        outcomes.put(s, new Outcome(idempotent ? "echo" : "record", e));
                    }
                }
            }, "load-" + t);
            thread.setDaemon(true);
            load.add(thread);
        }
        load.forEach(Thread::start);
        return ledger;
    }

    /** Lets the load run until {@code calls} more calls have ended. */
    private void runFor(int calls) {
        int target = outcomes.size() + calls;
        await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.size() >= target);
    }

    private void stopLoad() throws InterruptedException {
        running = false;
        for (Thread t : load) {
            t.join(SECONDS.toMillis(60));
        }
    }

    /** Calls that succeeded though no server received them. */
    private List<Long> lost() {
        List<Long> lost = new ArrayList<>();
        outcomes.forEach((s, o) -> {
            if (o.failure() == null && servers.stream().noneMatch(p -> p.received().contains(s))) {
                lost.add(s);
            }
        });
        return lost;
    }

    /** The message when calls succeeded unseen: which they were, and what each server reported. */
    private String unseen() {
        return "calls that succeeded unseen (" + lost().stream().map(s -> outcomes.get(s).kind() + " " + s)
                .collect(Collectors.joining(", ")) + "); " + servers.stream().map(ServerProcess::describe)
                .collect(Collectors.joining("; "));
    }

    private List<String> failures(java.util.function.Predicate<Outcome> which) {
        return outcomes.entrySet().stream().filter(e -> e.getValue().failure() != null && which.test(e.getValue()))
                .map(e -> e.getValue().kind() + " " + e.getKey() + ": " + e.getValue().failure()).limit(10).toList();
    }

    @Test
    void oneServerKilledUnderLoad_noIdempotentCallFails_othersFailTypedOrAreRetried() throws Exception {
        startThree();
        runFor(300);
        ServerProcess victim = servers.get(1);
        long before = victim.received().size();
        victim.kill();
        runFor(600);
        stopLoad();
        for (ServerProcess s : List.of(servers.get(0), servers.get(2))) {
            s.stop(); // every line of what it received is read
        }

        assertThat(before).as("the killed server had calls").isPositive();
        assertThat(failures(o -> o.kind().equals("echo"))).as("idempotent calls that failed").isEmpty();
        assertThat(failures(o -> !(o.failure() instanceof ConnectionException c) || c.isUnprocessed()
                || c.status() != Status.UNAVAILABLE)).as("failures other than of calls the killed server may have run")
                .isEmpty();
        assertThat(lost()).as(this::unseen).isEmpty();
        long afterKill = outcomes.entrySet().stream().filter(e -> e.getValue().failure() == null).count();
        System.out.printf("RESULT replica-killed calls=%d failed-may-have-run=%d%n", outcomes.size(),
                outcomes.values().stream().filter(o -> o.failure() != null).count());
        assertThat(afterKill).isGreaterThan(600);
    }

    @Test
    void oneServerDrainsUnderLoad_noCallFails() throws Exception {
        startThree();
        runFor(300);
        ServerProcess draining = servers.get(0);
        draining.beginStop(); // GOAWAY to the client; its calls in flight finish
        draining.awaitStopped();
        runFor(600);
        stopLoad();
        for (ServerProcess s : List.of(servers.get(1), servers.get(2))) {
            s.stop();
        }

        assertThat(failures(o -> true)).as("failed calls").isEmpty();
        assertThat(lost()).as(this::unseen).isEmpty();
        assertThat(draining.received()).as("the draining server had calls").isNotEmpty();
        System.out.printf("RESULT replica-drained calls=%d failed=0%n", outcomes.size());
    }

    @Test
    void everyServerDown_callFailsAtOnce_unavailableNamingTheTarget() throws Exception {
        String target = "tcp://127.0.0.1:" + Ports.free() + ",127.0.0.1:" + Ports.free();
        client = Hermod.client(target);

        Throwable failure = catchThrowable(() -> client.proxy(Ledger.class, "ledger").echo(1));

        assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining(target)
                .hasMessageContaining("no endpoint can take the call");
        RpcException r = (RpcException) failure;
        assertThat(r.status()).isEqualTo(Status.UNAVAILABLE);
        assertThat(r.isUnprocessed()).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.endpoints())
                .extracting(EndpointStatus::state).containsOnly(EndpointStatus.State.UNREACHABLE));
    }

    @Test
    void allServersKilled_callFailsAtOnce_unavailableNamingTheTarget() throws Exception {
        for (int i = 0; i < 2; i++) {
            servers.add(ServerProcess.start(0));
        }
        String target = "tcp://" + servers.stream().map(ServerProcess::address).collect(Collectors.joining(","));
        client = Hermod.client().target(target).restartWait(Duration.ZERO).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");
        for (long i = 0; i < 10; i++) {
            assertThat(ledger.echo(i)).isEqualTo(i);
        }
        for (ServerProcess s : servers) {
            s.kill();
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(catchThrowable(() -> ledger.echo(99)))
                .isInstanceOf(ConnectionException.class).hasMessageContaining(target));
    }

    @Test
    void sticky_itsServerKilled_laterCallsKeepToAnotherOne() throws Exception {
        for (int i = 0; i < 3; i++) {
            servers.add(ServerProcess.start(0));
        }
        client = Hermod.client("tcp://" + servers.stream().map(ServerProcess::address).collect(Collectors.joining(",")));
        Ledger sticky = Hermod.sticky(client.proxy(Ledger.class, "ledger"));
        for (long i = 1; i <= 20; i++) {
            assertThat(sticky.echo(i)).isEqualTo(i);
        }
        // Each process reports what it received on its output, a little after the reply: wait for it.
        ServerProcess home = await().atMost(Duration.ofSeconds(20)).until(
                () -> servers.stream().filter(s -> s.received().size() == 20).findFirst(),
                java.util.Optional::isPresent).orElseThrow();

        home.kill();
        for (long i = 21; i <= 60; i++) {
            assertThat(sticky.echo(i)).isEqualTo(i);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> servers.stream().anyMatch(s -> s.received().size() == 40));
        assertThat(servers.stream().filter(s -> s != home).map(s -> s.received().size()).toList())
                .as("calls per other server").containsExactlyInAnyOrder(0, 40);
    }
}
