package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A oneway call is complete once its frame is handed to the connection, so nothing that closes
 * a connection afterwards may drop it: not the client's own close right after the call, not the
 * client's graceful close while the server still holds the request past its limits, not the
 * server's GOAWAY. (Seen as "lost oneway" in {@code RollingRestartTest}.)
 */
final class OnewayBeforeCloseTest {
    @Remote
    public interface Notes {
        void note(int n);
    }

    private static final int NOTES = 200;

    private final Set<Integer> noted = ConcurrentHashMap.newKeySet();
    private Server server;
    private Client client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A server whose oneway requests take a millisecond each, and run one at a time. */
    private void startServer(Server.Builder builder) {
        server = builder.host("127.0.0.1").add("notes", Notes.class, n -> {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            noted.add(n);
        }).start();
        client = Hermod.client().target(server.target()).build();
    }

    private Notes sendNotes() {
        Notes notes = Hermod.oneway(client.proxy(Notes.class, "notes"));
        for (int i = 0; i < NOTES; i++) {
            notes.note(i);
        }
        return notes;
    }

    private List<Integer> missing() {
        return IntStream.range(0, NOTES).filter(i -> !noted.contains(i)).boxed().toList();
    }

    @Test
    void clientClosedRightAfterOnewayCalls_everyOneRuns() {
        startServer(Hermod.server());
        // Before the fix about half the rounds lost some: the client's I/O threads, shutting
        // down, closed the connection before they ran the task that wrote the last frames.
        for (int round = 0; round < 3; round++) {
            if (client == null) {
                client = Hermod.client().target(server.target()).build();
            }
            noted.clear();
            sendNotes();
            client.close(); // shutdownNow: what was handed over is still written
            client = null;
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(missing()).isEmpty());
        }
    }

    @Test
    void clientClosedGracefullyWhileTheServerHoldsRequestsPastItsLimit_everyOneRuns() throws Exception {
        startServer(Hermod.server().maxInFlightPerConnection(16));
        sendNotes();
        client.shutdown(); // closes the connection at once: no two-way call is outstanding
        assertThat(client.awaitTermination(Duration.ofSeconds(10))).isTrue();
        client = null;

        // Before the fix the server dropped the requests it had read and not yet admitted
        // (most of them) when it saw the connection close.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(missing()).isEmpty());
    }

    @Test
    void serverShutsDownWhileOnewayCallsArrive_everyOneTheCallerSawSucceedRuns() throws Exception {
        startServer(Hermod.server().maxInFlightPerConnection(16));
        Notes notes = Hermod.oneway(client.proxy(Notes.class, "notes"));
        notes.note(-1);
        await().atMost(Duration.ofSeconds(5)).until(() -> noted.contains(-1)); // connected
        Set<Integer> refused = ConcurrentHashMap.newKeySet();
        Thread sender = new Thread(() -> {
            for (int i = 0; i < NOTES; i++) {
                try {
                    notes.note(i);
                } catch (RpcException e) {
                    refused.add(i); // the caller knows: not lost
                }
            }
        });
        sender.start();
        Thread.sleep(5);
        server.shutdown(); // GOAWAY: the client closes its connection once its two-way calls are answered
        sender.join(30_000);
        assertThat(server.awaitTermination(Duration.ofSeconds(20))).isTrue();

        // Before the fix about a quarter of those that succeeded never ran (the requests the
        // server held past its limit when the client closed).
        assertThat(missing()).isSubsetOf(refused);
    }
}
