package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.connection.Connection;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 item 4: a connection that is healthy but unused for the inactivity timeout is closed,
 * by either side, without failing a call; the next call opens a new one.
 */
@Timeout(value = 60, unit = SECONDS)
final class IdleTimeoutTest {
    private static final Duration IDLE = Duration.ofMillis(300);
    private Server server;
    private Client client;

    @AfterEach
    void close() {
        Ports.closeAll(client, server);
    }

    @Test
    void serverIdleTimeout_unusedConnection_closedAndNextCallOpensAnother() {
        server = Hermod.server().host("127.0.0.1").idleTimeout(IDLE).add("store", Store.class, new MemoryStore()).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).maxAttempts(1).build();
        assertUnusedConnectionCloses();
    }

    @Test
    void clientIdleTimeout_unusedConnection_closedAndNextCallOpensAnother() {
        server = Hermod.server().host("127.0.0.1").add("store", Store.class, new MemoryStore()).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).idleTimeout(IDLE).maxAttempts(1).build();
        assertUnusedConnectionCloses();
    }

    @Test
    void idleTimeout_connectionInUse_staysOpen() throws Exception {
        // Longer than IDLE: a call every 50 ms must keep the connection, and on a loaded two-core
        // machine (CI runs several JVMs) a 300 ms stall between two calls happens, which would
        // rightly close it.
        Duration idle = Duration.ofSeconds(1);
        server = Hermod.server().host("127.0.0.1").idleTimeout(idle).add("store", Store.class, new MemoryStore()).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).idleTimeout(idle).maxAttempts(1).build();
        Store store = client.proxy(Store.class, "store");
        store.append("k", "a");
        Connection first = client.connections().get(0);
        long end = System.nanoTime() + idle.multipliedBy(3).toNanos();
        while (System.nanoTime() - end < 0) {
            store.read("k");
            Thread.sleep(50);
        }
        assertThat(first.state()).isEqualTo(Connection.State.OPEN);
    }

    private void assertUnusedConnectionCloses() {
        Store store = client.proxy(Store.class, "store");
        assertThat(store.append("k", "a")).isEqualTo("a");
        Connection first = client.connections().get(0);
        await().atMost(Duration.ofSeconds(20)).until(() -> first.state() == Connection.State.CLOSED);
        assertThat(store.append("k", "b")).as("no retries: the close failed nothing").isEqualTo("ab");
        assertThat(client.connections()).hasSize(1).doesNotContain(first);
    }
}
