package dev.hermod.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Relay;
import dev.hermod.Remote;
import dev.hermod.Server;
import dev.hermod.connection.Connection;
import dev.hermod.connection.ConnectionListener;
import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that opens and closes before the pool attaches its callback to the attempt (the
 * thread that started the attempt was preempted): the pool must not keep it. The thread is held
 * at that moment ({@link ConnectionPool#beforeAttach}) until the connection's handshake is done,
 * the relay has cut it and the client has seen it close, so the race happens every time.
 */
final class ClosedBeforeJoiningTest {
    private static final Duration WITHIN = Duration.ofSeconds(5);

    @Remote
    public interface Ping {
        int ping(int n);
    }

    @CompanionOf(Ping.class)
    public interface PingAsync {
        AsyncResult<Integer> ping(int n);
    }

    private Server server;
    private Relay relay;
    private Client client;

    @AfterEach
    void tearDown() throws Exception {
        ConnectionPool.beforeAttach = null;
        if (client != null) {
            client.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void connectionClosedBeforeThePoolHearsItOpened_isDropped_theWaitingCallGetsANewOne_andShutdownTerminates()
            throws Exception {
        server = Hermod.server().host("127.0.0.1").add("ping", Ping.class, n -> n).start();
        relay = new Relay(server.port());
        List<Connection.State> states = new CopyOnWriteArrayList<>();
        client = Hermod.client().target("tcp://127.0.0.1:" + relay.port())
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void stateChanged(Connection connection, Connection.State state) {
                        states.add(state);
                    }
                }).build();
        AtomicBoolean once = new AtomicBoolean();
        ConnectionPool.beforeAttach = attempt -> {
            if (!once.compareAndSet(false, true)) {
                return; // the attempts after the first go their normal way
            }
            await().atMost(WITHIN).until(attempt::isDone); // handshaken, with nobody told
            relay.cutAll();
            // Reported after the pool's onClosed, which found no such member.
            await().atMost(WITHIN).until(() -> states.contains(Connection.State.CLOSED));
        };

        AsyncResult<Integer> call = client.proxy(PingAsync.class, "ping").ping(7); // waits for the attempt

        assertThat(once).as("the race was staged").isTrue();
        // Before the fix: the call waited in line for its 30 s deadline, nothing opened another connection.
        await().atMost(WITHIN).until(call::isDone);
        assertThat(call.value()).isEqualTo(7);
        assertThat(relay.connections()).isEqualTo(2);
        assertThat(client.connections()).as("only the open connection").singleElement()
                .extracting(Connection::state).isEqualTo(Connection.State.OPEN);
        client.shutdown();
        assertThat(client.awaitTermination(WITHIN)).as("terminated").isTrue();
    }
}
