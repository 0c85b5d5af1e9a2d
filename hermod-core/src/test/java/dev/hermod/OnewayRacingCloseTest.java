package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A oneway call whose connection closes while its arguments are being encoded is known never
 * sent at once, and goes on a new connection, rather than waiting out its timeout in the closed
 * connection's backlog.
 */
public final class OnewayRacingCloseTest {
    /** Encoding reaches {@link #n()}: it says so, and waits until the test lets it go on. */
    public record Slow(int n) {
        static final CountDownLatch ENCODING = new CountDownLatch(1);
        static final CountDownLatch GO_ON = new CountDownLatch(1);

        @Override
        public int n() {
            if (Thread.currentThread().getName().startsWith("oneway-caller")) {
                ENCODING.countDown();
                try {
                    GO_ON.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return n;
        }
    }

    @Remote
    public interface Sink {
        void put(Slow s);

        int count();
    }

    private Server server;
    private Relay relay;
    private Client client;

    @AfterEach
    void tearDown() throws Exception {
        Slow.GO_ON.countDown();
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
    void connectionClosedWhileTheArgumentsAreEncoded_theOnewayCallFailsAsUnsent_notByItsTimeout() throws Exception {
        AtomicInteger puts = new AtomicInteger();
        server = Hermod.server().host("127.0.0.1").add("sink", Sink.class, new Sink() {
            @Override
            public void put(Slow s) {
                puts.incrementAndGet();
            }

            @Override
            public int count() {
                return puts.get();
            }
        }).start();
        relay = new Relay(server.port());
        client = Hermod.client().target("tcp://127.0.0.1:" + relay.port()).callTimeout(Duration.ofSeconds(3)).build();
        Sink sink = client.proxy(Sink.class, "sink");
        assertThat(sink.count()).isZero(); // connected

        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> outcome.complete(catchThrowable(() -> Hermod.oneway(sink).put(new Slow(1)))),
                "oneway-caller");
        caller.start();
        assertThat(Slow.ENCODING.await(5, TimeUnit.SECONDS)).isTrue(); // past the check for a closed connection
        relay.cutAll();
        Thread.sleep(300); // the client sees the reset and closes the connection
        Slow.GO_ON.countDown();

        // Before the fix: InvocationTimeoutException after 3 s, the frame held in the backlog.
        // Now it was never sent on the closed connection, so it goes on a new one, and runs once.
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isNull();
        await().atMost(Duration.ofSeconds(5)).until(puts::get, n -> n == 1);
        assertThat(relay.connections()).isEqualTo(2);
        assertThat(sink.count()).isEqualTo(1);
    }
}
