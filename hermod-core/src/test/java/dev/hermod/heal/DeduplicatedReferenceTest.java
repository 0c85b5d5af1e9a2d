package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Deduplicated;
import dev.hermod.Hermod;
import dev.hermod.Relay;
import dev.hermod.Remote;
import dev.hermod.Server;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An operation that passes an object reference is never deduplicated, though marked: the object
 * is exported on the connection its first run answered on, and a remembered reply replayed on
 * another connection would name nothing there, or another object. Such a call whose reply is
 * lost fails with its outcome unknown, as an unmarked one does, rather than being sent again.
 */
@Timeout(value = 60, unit = SECONDS)
public final class DeduplicatedReferenceTest {
    @Remote
    public interface Folders {
        /** Creates a folder: must not run twice. */
        @Deduplicated
        Folder create(String name);
    }

    @Remote
    public interface Folder {
        String name();
    }

    private Server server;
    private Client client;
    private Relay relay;

    @AfterEach
    void close() throws Exception {
        Ports.closeAll(client, server);
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void markedOperationReturningAReference_replyLost_failsWithItsOutcomeUnknown_andRanOnce() throws Exception {
        AtomicInteger created = new AtomicInteger();
        server = Hermod.server().host("127.0.0.1").add("folders", Folders.class, (Folders) name -> {
            created.incrementAndGet();
            return () -> name;
        }).start();
        relay = new Relay(server.port());
        client = Hermod.client().target("tcp://127.0.0.1:" + relay.port())
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build();
        Folders folders = client.proxy(Folders.class, "folders");
        assertThat(folders.create("first").name()).isEqualTo("first"); // connected and idle
        relay.cutOnNextReply();

        // Before the fix the call was sent again and got the first run's reply: a reference to
        // an object of the lost connection, which named nothing on the new one.
        ConnectionException e = assertThrows(ConnectionException.class, () -> folders.create("second"));

        assertThat(e.isUnprocessed()).isFalse();
        assertThat(created).as("folders created").hasValue(2);
        assertThat(folders.create("third").name()).isEqualTo("third");
    }
}
