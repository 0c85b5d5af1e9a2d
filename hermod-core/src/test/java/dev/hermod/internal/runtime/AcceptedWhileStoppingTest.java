package dev.hermod.internal.runtime;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Remote;
import dev.hermod.RpcException;
import dev.hermod.Server;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that the server accepted just before its listener closed, but set up only after
 * the server had decided to stop (its I/O thread was busy meanwhile), must not complete its
 * handshake: the client would send oneway calls over it, believe them delivered, and nothing
 * would run them. Seen as "lost oneway" in {@code RollingRestartTest}: a restarted server was
 * told to stop while a client's connection to it waited to be set up.
 */
final class AcceptedWhileStoppingTest {
    @Remote
    public interface Notes {
        void note(int n);
    }

    private final Set<Integer> noted = ConcurrentHashMap.newKeySet();
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private Server server;
    private Client client;

    @AfterEach
    void tearDown() {
        ServerImpl.beforeInstall = null;
        release.countDown();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void connectionSetUpAfterTheServerDecidedToStop_isClosedUnshaken_soItsOnewayCallFailsInsteadOfVanishing()
            throws Exception {
        server = Hermod.server().host("127.0.0.1").add("notes", Notes.class, noted::add).start();
        int port = server.port();
        ServerImpl.beforeInstall = ch -> {
            if (((InetSocketAddress) ch.localAddress()).getPort() == port) { // static: only this test's server
                held.countDown();
                try {
                    release.await(20, SECONDS); // the I/O thread is busy: the connection waits to be set up
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        client = Hermod.client().target(server.target()).build();
        Notes notes = Hermod.oneway(client.proxy(Notes.class, "notes"));
        CompletableFuture<RpcException> sent = CompletableFuture.supplyAsync(() -> {
            try {
                notes.note(1); // waits for the connection, then returns once the request is handed over
                return null;
            } catch (RpcException e) {
                return e;
            }
        });
        assertThat(held.await(20, SECONDS)).as("the connection was accepted").isTrue();

        server.shutdown(); // no connection set up, nothing in flight: the server decides to stop now
        release.countDown();

        // Before the fix the connection was set up anyway, the handshake completed, and the call
        // returned as sent; the server, stopping, never ran it.
        RpcException failure = sent.get(30, SECONDS);
        assertThat(failure).as("the oneway call fails, since nothing will run it (it ran: %s)", noted).isNotNull();
        assertThat(failure.isUnprocessed()).as("%s", failure).isTrue();
        assertThat(server.awaitTermination(Duration.ofSeconds(20))).isTrue();
        assertThat(noted).isEmpty();
    }
}
