package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.RpcException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 item 4: a server process restarted twice on the same port, gracefully (GOAWAY, the
 * calls in its servant finish), under steady synchronous, asynchronous and oneway calls. Every
 * call that succeeded reached a servant (none lost), and no call failed that was idempotent or
 * that the server never ran: those were sent again, after the client waited for the server to
 * come back.
 */
@Timeout(value = 240, unit = SECONDS)
final class RollingRestartTest {
    private static final Duration LOAD_BETWEEN_RESTARTS = Duration.ofMillis(1500);

    /** How one call ended. */
    record Outcome(String kind, boolean ok, Throwable failure) {
        boolean mustNotFail() {
            return kind.equals("echo") || failure instanceof RpcException r && r.isUnprocessed();
        }
    }

    /** Every server process started, the last one running. */
    private final List<ServerProcess> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean running = true;
    private ServerProcess server;
    private Client client;

    @AfterEach
    void cleanUp() throws Exception {
        running = false;
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private long succeeded(String kind) {
        return outcomes.values().stream().filter(o -> o.kind().equals(kind) && o.ok()).count();
    }

    @Test
    void restartTwice_underSyncAsyncAndOnewayLoad_losesNothing() throws Exception {
        int port = start(0);
        client = Hermod.client().target("tcp://127.0.0.1:" + port).callTimeout(Duration.ofSeconds(60))
                // a JVM starts slowly on a loaded machine: wait longer for it than the default 5 s
                .restartWait(Duration.ofSeconds(60)).build();
        Ledger ledger = client.proxy(Ledger.class, "ledger");
        Ledger oneway = Hermod.oneway(client.proxy(Ledger.class, "ledger"));
        Semaphore window = new Semaphore(16);
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            load.add(loop("sync-" + t, () -> {
                long s = seq.incrementAndGet();
                String kind = s % 2 == 0 ? "echo" : "record";
                try {
                    long back = kind.equals("echo") ? ledger.echo(s) : ledger.record(s);
                    outcomes.put(s, new Outcome(kind, back == s, null));
                } catch (RuntimeException e) {
                    outcomes.put(s, new Outcome(kind, false, e));
                }
            }));
        }
        load.add(loop("async", () -> {
            window.acquireUninterruptibly();
            long s = seq.incrementAndGet();
            AsyncResult<Object> r = client.invoke("ledger", "record", s);
            r.whenComplete((v, e) -> {
                outcomes.put(s, new Outcome("async", e == null, e));
                window.release();
            });
        }));
        load.add(loop("oneway", () -> {
            long s = seq.incrementAndGet();
            try {
                oneway.note(s);
                outcomes.put(s, new Outcome("oneway", true, null));
            } catch (RuntimeException e) {
                outcomes.put(s, new Outcome("oneway", false, e));
            }
        }));
        load.forEach(Thread::start);

        for (int restart = 0; restart < 2; restart++) {
            Thread.sleep(LOAD_BETWEEN_RESTARTS.toMillis());
            stop();
            assertThat(start(port)).isEqualTo(port);
        }
        Thread.sleep(LOAD_BETWEEN_RESTARTS.toMillis());
        // On a loaded machine the calls between restarts may be few: the load goes on until every
        // kind has succeeded a few times, so that the counts below check calls, not speed.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> List.of("echo", "record",
                "async", "oneway").stream().allMatch(kind -> succeeded(kind) >= 5));
        running = false;
        for (Thread t : load) {
            t.join(SECONDS.toMillis(90));
        }
        assertThat(window.tryAcquire(16, 90, SECONDS)).as("every asynchronous call ended").isTrue();
        stop(); // flushes what the last server received

        long lost = 0;
        long mustNotFail = 0;
        long otherFailures = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<Long, Outcome> e : outcomes.entrySet()) {
            Outcome o = e.getValue();
            if (o.ok() && servers.stream().noneMatch(s -> s.received().contains(e.getKey()))) {
                lost++;
                examples.add("lost " + o.kind() + " " + e.getKey());
            } else if (!o.ok() && o.mustNotFail()) {
                mustNotFail++;
                examples.add(o.kind() + " " + e.getKey() + ": " + o.failure());
            } else if (!o.ok()) {
                otherFailures++;
                examples.add(o.kind() + " " + e.getKey() + " (may have run): " + o.failure());
            }
        }
        System.out.printf("RESULT rolling-restart calls=%d lost=%d failed-idempotent-or-unprocessed=%d"
                + " failed-other=%d%n", outcomes.size(), lost, mustNotFail, otherFailures);
        for (String kind : List.of("echo", "record", "async", "oneway")) {
            assertThat(succeeded(kind)).as("%s calls that succeeded", kind).isGreaterThanOrEqualTo(5);
        }
        assertThat(examples.subList(0, Math.min(10, examples.size())))
                .as("lost or failed calls; the servers: %s", servers.stream().map(ServerProcess::describe).toList())
                .isEmpty();
        assertThat(lost).isZero();
        assertThat(mustNotFail).isZero();
    }

    private Thread loop(String name, Runnable step) {
        Thread t = new Thread(() -> {
            while (running) {
                step.run();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "load-" + name);
        t.setDaemon(true);
        return t;
    }

    /** Starts a server process on {@code port} (0: any) and returns the port it listens on. */
    private int start(int port) throws Exception {
        server = ServerProcess.start(port);
        servers.add(server);
        return server.port();
    }

    /** Stops the server process gracefully and waits until it has exited. */
    private void stop() throws Exception {
        server.stop();
    }
}
