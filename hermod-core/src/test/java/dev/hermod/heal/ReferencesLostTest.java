package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Listener;
import dev.hermod.Relay;
import dev.hermod.Server;
import dev.hermod.connection.Connection;
import dev.hermod.connection.ConnectionListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 item 8: a callback a client passed to a server is never lost silently when the
 * connection that carried it goes. The client is told which of its objects the server held
 * ({@link ConnectionListener#referencesLost}), the server's reference fails every later call with
 * a {@link dev.hermod.ConnectionException} that says it was lost, and subscribing again makes
 * events flow, after a cut connection and after a server restart on the same port.
 */
@Timeout(value = 60, unit = SECONDS)
final class ReferencesLostTest {
    private Server server;
    private Client client;
    private Relay relay;
    private final BlockingQueue<List<Object>> lostReported = new LinkedBlockingQueue<>();

    /** A client-side listener that keeps what it heard. */
    static final class Heard implements Listener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(String event) {
            events.add(event);
        }

        @Override
        public String echo(String text) {
            events.add(text);
            return text;
        }

        @Override
        public void fail(String message) {
            throw new IllegalStateException(message);
        }

        @Override
        public String context(String key) {
            return null;
        }

        @Override
        public void sleep(long millis) {}
    }

    @AfterEach
    void close() throws Exception {
        Ports.closeAll(client, server);
        if (relay != null) {
            relay.close();
        }
    }

    private Feed connect(int port) {
        client = Hermod.client().target("tcp://127.0.0.1:" + port)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void referencesLost(Connection connection, List<Object> objects) {
                        lostReported.add(objects);
                    }
                }).build();
        return client.proxy(Feed.class, "feed");
    }

    @Test
    void connectionCut_bothSidesAreTold_andSubscribingAgainRestoresTheEvents() throws Exception {
        FeedImpl feedImpl = new FeedImpl();
        server = Hermod.server().host("127.0.0.1").add("feed", Feed.class, feedImpl).start();
        relay = new Relay(server.port());
        Feed feed = connect(relay.port());
        Heard heard = new Heard();
        feed.subscribe(heard);
        assertThat(feed.publish("one")).isEqualTo("delivered=1 lost=0");

        relay.cutAll();

        assertThat(lostReported.poll(20, SECONDS)).as("the client's objects the server held").containsExactly(heard);
        assertThat(feed.publish("two")).as("on a new connection").isEqualTo("delivered=0 lost=1");
        assertThat(feedImpl.lost).hasSize(1);
        assertThat(feedImpl.lost.get(0).isUnprocessed()).isTrue();
        assertThat(feedImpl.lost.get(0)).hasMessageContaining("was lost with its connection");

        feed.subscribe(heard);
        assertThat(feed.publish("three")).isEqualTo("delivered=1 lost=0");
        assertThat(heard.events).containsExactly("one", "three");
    }

    @Test
    void serverProcessKilledAndRestartedOnTheSamePort_theClientSubscribesAgainWhenTold() throws Exception {
        ServerProcess first = ServerProcess.start(0);
        int port = first.port();
        ServerProcess second = null;
        try {
            Feed feed = connect(port);
            Heard heard = new Heard();
            feed.subscribe(heard);
            assertThat(feed.publish("before")).isEqualTo("delivered=1 lost=0");

            first.kill(); // kill -9: no GOAWAY, the connection just breaks
            List<Object> lost = lostReported.poll(20, SECONDS);
            assertThat(lost).containsExactly(heard);
            second = ServerProcess.start(port);
            assertThat(second.port()).isEqualTo(port);
            for (Object o : lost) {
                feed.subscribe((Listener) o);
            }

            assertThat(feed.publish("after")).isEqualTo("delivered=1 lost=0");
            assertThat(heard.events).containsExactly("before", "after");
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void serverRestartsOnTheSamePort_theClientSubscribesAgainWhenTold() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("feed", Feed.class, new FeedImpl()).start();
        int port = server.port();
        Feed feed = connect(port);
        Heard heard = new Heard();
        feed.subscribe(heard);
        assertThat(feed.publish("before")).isEqualTo("delivered=1 lost=0");

        server.shutdownNow();
        List<Object> lost = lostReported.poll(20, SECONDS);
        assertThat(lost).containsExactly(heard);
        FeedImpl restarted = new FeedImpl();
        server = Hermod.server().host("127.0.0.1").port(port).add("feed", Feed.class, restarted).start();
        for (Object o : lost) {
            feed.subscribe((Listener) o); // what the callback tells the client to do
        }

        assertThat(feed.publish("after")).isEqualTo("delivered=1 lost=0");
        assertThat(heard.events).containsExactly("before", "after");
    }
}
