package dev.hermod.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Remote;
import dev.hermod.RemoteException;
import dev.hermod.Server;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real calls over loopback TCP, then the meters read from a SimpleMeterRegistry. */
final class HermodMetricsTest {
    private final SimpleMeterRegistry clientMeters = new SimpleMeterRegistry();
    private final SimpleMeterRegistry serverMeters = new SimpleMeterRegistry();
    private final AtomicInteger pokes = new AtomicInteger();
    private Server server;
    private Client client;

    /** A contract that streams its result. */
    @Remote
    public interface Letters {
        Flow.Publisher<String> letters(String word);
    }

    @BeforeEach
    void start() {
        Greeter impl = new Greeter() {
            @Override
            public String greet(String name) {
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("no name");
                }
                return "Hello, " + name;
            }

            @Override
            public void poke() {
                pokes.incrementAndGet();
            }
        };
        Letters letters = word -> subscriber -> {
            SubmissionPublisher<String> p = new SubmissionPublisher<>();
            p.subscribe(subscriber); // before the items: a SubmissionPublisher gives them to present subscribers only
            word.chars().forEach(c -> p.submit(Character.toString(c)));
            p.close();
        };
        server = Hermod.server().host("127.0.0.1").add("greeter", Greeter.class, impl)
                .add("letters", Letters.class, letters).intercept(new HermodMetrics(serverMeters)).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port())
                .intercept(new HermodMetrics(clientMeters, Tags.of("target", "greeter-server"))).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static long count(SimpleMeterRegistry r, String name, String... tags) {
        Timer t = r.find(name).tags(tags).timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void calls_areTimedPerServiceOperationOutcomeAndKind_onBothSides() throws Exception {
        Greeter greeter = client.proxy(Greeter.class, "greeter");
        greeter.greet("Ada");
        greeter.greet("Grace");
        assertThat(client.proxy(GreeterAsync.class, "greeter").greet("Ken").get()).isEqualTo("Hello, Ken");
        assertThatThrownBy(() -> greeter.greet("")).isInstanceOf(RemoteException.class);
        Hermod.oneway(greeter).poke();
        await().until(() -> pokes.get() == 1);

        assertThat(count(clientMeters, "hermod.client.calls", "service", "greeter", "operation", "greet",
                "outcome", "OK", "kind", "SYNC", "target", "greeter-server")).isEqualTo(2);
        assertThat(count(clientMeters, "hermod.client.calls", "operation", "greet", "outcome", "OK", "kind", "ASYNC"))
                .isEqualTo(1);
        assertThat(count(clientMeters, "hermod.client.calls", "operation", "greet", "outcome", "REMOTE_FAILURE"))
                .isEqualTo(1);
        assertThat(count(clientMeters, "hermod.client.calls", "operation", "poke", "kind", "ONEWAY")).isEqualTo(1);
        Timer sync = clientMeters.find("hermod.client.calls").tags("outcome", "OK", "kind", "SYNC").timer();
        assertThat(sync.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();

        assertThat(count(serverMeters, "hermod.server.calls", "service", "greeter", "operation", "greet",
                "outcome", "OK")).isEqualTo(3);
        assertThat(count(serverMeters, "hermod.server.calls", "operation", "greet", "outcome", "REMOTE_FAILURE"))
                .isEqualTo(1);
        await().until(() -> count(serverMeters, "hermod.server.calls", "operation", "poke") == 1);

        assertThat(clientMeters.get("hermod.client.calls.active").tags("operation", "greet").gauge().value())
                .isZero();
        assertThat(serverMeters.get("hermod.server.calls.active").tags("operation", "greet").gauge().value())
                .isZero();
    }

    @Test
    void streamedCall_isTimedUntilItsStreamEnds_withKindStream() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        client.proxy(Letters.class, "letters").letters("Ada").subscribe(new Flow.Subscriber<String>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String item) {
                got.add(item);
            }

            @Override
            public void onError(Throwable t) {
                ended.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                ended.complete(null);
            }
        });
        ended.get(30, TimeUnit.SECONDS);

        assertThat(got).containsExactly("A", "d", "a");
        assertThat(count(clientMeters, "hermod.client.calls", "service", "letters", "operation", "letters",
                "outcome", "OK", "kind", "STREAM")).isEqualTo(1);
        await().until(() -> count(serverMeters, "hermod.server.calls", "service", "letters", "operation", "letters",
                "outcome", "OK") == 1);
        assertThat(clientMeters.get("hermod.client.calls.active").tags("operation", "letters").gauge().value())
                .isZero();
    }

    @Test
    void vitals_bytesConnectionsBacklogWaitingAndRetries_areRead() {
        client.proxy(Greeter.class, "greeter").greet("Ada");

        assertThat(clientMeters.get("hermod.client.bytes.sent").tags("target", "greeter-server").functionCounter()
                .count()).isPositive();
        assertThat(clientMeters.get("hermod.client.bytes.received").functionCounter().count()).isPositive();
        assertThat(clientMeters.get("hermod.client.connections.open").gauge().value()).isEqualTo(1);
        assertThat(clientMeters.get("hermod.client.backlog").gauge().value()).isZero();
        assertThat(clientMeters.get("hermod.client.calls.waiting").gauge().value()).isZero();
        assertThat(clientMeters.get("hermod.client.retries").functionCounter().count()).isZero();

        await().untilAsserted(() -> assertThat(serverMeters.get("hermod.server.bytes.received").functionCounter()
                .count()).isEqualTo(clientMeters.get("hermod.client.bytes.sent").functionCounter().count()));
        assertThat(serverMeters.get("hermod.server.connections.open").gauge().value()).isEqualTo(1);
        assertThat(serverMeters.find("hermod.server.retries").meter()).isNull();

        client.close();
        await().until(() -> serverMeters.get("hermod.server.connections.open").gauge().value() == 0);
    }

    @Test
    void retries_areCounted_whenACallIsSentAgain() throws Exception {
        // A server that was reached restarts: a call made meanwhile is sent again until it is back.
        client.proxy(Greeter.class, "greeter").greet("Ada");
        int port = server.port();
        server.shutdown();
        assertThat(server.awaitTermination(java.time.Duration.ofSeconds(20))).isTrue();
        var result = client.proxy(GreeterAsync.class, "greeter").greet("Grace");
        await().until(() -> clientMeters.get("hermod.client.retries").functionCounter().count() >= 1);
        server = Hermod.server().host("127.0.0.1").port(port).add("greeter", Greeter.class, new Greeter() {
            @Override
            public String greet(String name) {
                return "Hi " + name;
            }

            @Override
            public void poke() {}
        }).start();
        assertThat(result.get()).isEqualTo("Hi Grace");
    }
}
