package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.Status;
import dev.hermod.connection.Connection;
import dev.hermod.connection.ConnectionListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 item 5: a client whose server is unreachable backs off between connection attempts,
 * exponentially and with jitter, and meanwhile fails calls at once with an unprocessed
 * UNAVAILABLE instead of paying a connect attempt each; it reconnects on a call once the server
 * is back, and reports its connections' states.
 */
@Timeout(value = 60, unit = SECONDS)
final class ReconnectTest {
    private static final Duration INITIAL = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofMillis(800);

    /** What the listener heard, with the time it heard it. */
    record Event(long nanos, String what, int attempt, Duration retryIn) {}

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Connection.State> states = new CopyOnWriteArrayList<>();
    private final ConnectionListener listener = new ConnectionListener() {
        @Override
        public void connecting(URI target, int attempt) {
            events.add(new Event(System.nanoTime(), "connecting", attempt, null));
        }

        @Override
        public void connectFailed(URI target, int attempt, Throwable cause, Duration retryIn) {
            events.add(new Event(System.nanoTime(), "failed", attempt, retryIn));
        }

        @Override
        public void stateChanged(Connection connection, Connection.State state) {
            states.add(state);
        }
    };
    private Client client;
    private Server server;

    @AfterEach
    void close() {
        Ports.closeAll(client, server);
    }

    @Test
    void call_serverUnreachable_failsFastAndBacksOffExponentially() throws Exception {
        // A listener that accepts each connection attempt and closes it at once: every attempt
        // fails, and the accepts tell when each attempt really reached the server's side.
        List<Long> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket refuser = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!refuser.isClosed()) {
                    try (Socket s = refuser.accept()) {
                        accepted.add(System.nanoTime());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            client = Hermod.client().target("tcp://127.0.0.1:" + refuser.getLocalPort())
                    .reconnectBackoff(INITIAL, MAX).maxAttempts(1).connectionListener(listener).build();
            Store store = client.proxy(Store.class, "store");

            int calls = 0;
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() - end < 0) {
                Throwable t = catchThrowable(() -> store.read("k"));
                calls++;
                assertThat(t).isInstanceOf(ConnectionException.class);
                ConnectionException e = (ConnectionException) t;
                assertThat(e.status()).isEqualTo(Status.UNAVAILABLE);
                assertThat(e.isUnprocessed()).as("never reached a servant").isTrue();
                Thread.sleep(5);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> count("failed") == count("connecting"));
            List<Event> failures = only("failed");
            // Each call did not pay an attempt of its own: most failed at once, during the backoff.
            assertThat(accepted.size()).isGreaterThanOrEqualTo(3).isLessThan(calls / 4);
            for (int i = 0; i < failures.size(); i++) {
                Event f = failures.get(i);
                assertThat(f.attempt()).isEqualTo(i + 1);
                long nominal = Math.min(MAX.toNanos(), INITIAL.toNanos() << Math.min(i, 20));
                assertThat(f.retryIn().toNanos()).as("jittered backoff after failure %d", i + 1)
                        .isBetween(nominal / 2, nominal);
            }
            for (int i = 1; i < accepted.size(); i++) {
                // Attempt i+1 waited at least the jitter's floor of its backoff; load only delays it.
                long nominal = Math.min(MAX.toNanos(), INITIAL.toNanos() << Math.min(i - 1, 20));
                assertThat(accepted.get(i) - accepted.get(i - 1)).as("gap before attempt %d", i + 1)
                        .isGreaterThanOrEqualTo(nominal / 2);
            }
        }
    }

    @Test
    void call_serverComesBack_reconnectsOnNextCallAndReportsStates() throws Exception {
        int port = Ports.free();
        client = Hermod.client().target("tcp://127.0.0.1:" + port).reconnectBackoff(INITIAL, MAX).maxAttempts(1)
                .connectionListener(listener).build();
        Store store = client.proxy(Store.class, "store");
        assertThat(catchThrowable(() -> store.read("k"))).isInstanceOf(ConnectionException.class);

        server = Hermod.server().host("127.0.0.1").port(port).add("store", Store.class, new MemoryStore()).start();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(ConnectionException.class)
                .until(() -> store.read("k") == null || true);
        assertThat(store.append("k", "a")).isEqualTo("a");
        Connection c = client.connections().get(0);
        assertThat(c.state()).isEqualTo(Connection.State.OPEN);

        server.shutdown();
        await().atMost(Duration.ofSeconds(20)).until(() -> c.state() == Connection.State.CLOSED);
        await().atMost(Duration.ofSeconds(10)).until(() -> states.size() >= 3);
        assertThat(states).containsExactly(Connection.State.OPEN, Connection.State.DRAINING, Connection.State.CLOSED);
    }

    private long count(String what) {
        return events.stream().filter(e -> e.what().equals(what)).count();
    }

    private List<Event> only(String what) {
        return new ArrayList<>(events.stream().filter(e -> e.what().equals(what)).toList());
    }
}
