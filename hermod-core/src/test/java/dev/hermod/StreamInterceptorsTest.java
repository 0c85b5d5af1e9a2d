package dev.hermod;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.intercept.CallOutcome;
import dev.hermod.intercept.ClientCall;
import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.intercept.Interceptor;
import dev.hermod.intercept.ServerCall;
import dev.hermod.intercept.ServerInterceptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client and server interceptors see streamed calls over real TCP like every other call: their
 * start with service, operation, context and deadline, and their outcome and duration when the
 * stream completes, fails or is canceled, before the subscriber sees the end.
 */
@Timeout(value = 60, unit = SECONDS)
final class StreamInterceptorsTest {
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final InterceptorsTest.Recorder a = new InterceptorsTest.Recorder("A", seen);
    private final InterceptorsTest.Recorder b = new InterceptorsTest.Recorder("B", seen);
    private final FeedsImpl servant = new FeedsImpl();
    private Server server;
    private Client client;
    private Feeds feeds;

    /** A contract that calls the servant's {@code sum} synchronously: the server answers it the same way. */
    @Remote
    public interface SyncSum {
        long sum(Flow.Publisher<Integer> numbers);
    }

    private void start(Interceptor... interceptors) {
        Server.Builder sb = Hermod.server().host("127.0.0.1").add("feeds", Feeds.class, servant);
        Client.Builder cb = Hermod.client();
        for (Interceptor i : interceptors) {
            sb.intercept(i);
            cb.intercept(i);
        }
        server = sb.start();
        client = cb.target("tcp://127.0.0.1:" + server.port()).build();
        feeds = client.proxy(Feeds.class, "feeds");
    }

    @AfterEach
    void stop() {
        InterceptorsTest.stop(client, server, a, b);
    }

    /**
     * A client interceptor learns how a stream ended on the callback executor, never on an I/O
     * thread (where user code must not run): when the executor refuses, because its owner shut
     * it down before closing the client, the end goes to the common pool, as a plain call's
     * callbacks do.
     */
    @Test
    void streamEndedByTheClientsClose_whileTheCallbackExecutorRefuses_interceptorNotOnAnIoThread() throws Exception {
        ExecutorService callbacks = Executors.newSingleThreadExecutor();
        CompletableFuture<String> endedOn = new CompletableFuture<>();
        ClientInterceptor where = new ClientInterceptor() {
            @Override
            public void onComplete(ClientCall call, CallOutcome outcome) {
                endedOn.complete(Thread.currentThread().getName());
            }
        };
        server = Hermod.server().host("127.0.0.1").add("feeds", Feeds.class, servant).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).callbackExecutor(callbacks)
                .intercept(where).build();
        TestSubscriber<Long> s = TestSubscriber.askingOnce(1);
        Hermod.withOptions(client.proxy(Feeds.class, "feeds"), o -> o.withTimeout(Duration.ofMinutes(5))).endless()
                .subscribe(s);
        await().atMost(Duration.ofSeconds(20)).until(() -> s.items.size() == 1);
        callbacks.shutdown(); // borrowed: the client does not shut it down, and now it refuses
        assertThat(callbacks.awaitTermination(10, SECONDS)).isTrue();

        client.shutdownNow(); // the I/O thread fails the stream's call

        // Before the fix the interceptor ran on the client's I/O thread.
        assertThat(endedOn).succeedsWithin(Duration.ofSeconds(10)).asString().doesNotStartWith("hermod-client-io");
        assertThat(s.end).succeedsWithin(Duration.ofSeconds(10)).isInstanceOf(ConnectionException.class);
    }

    private List<String> seenBy(String prefix) {
        return InterceptorsTest.seenBy(seen, prefix);
    }

    /** A test subscriber, which notes the end of its stream among what the interceptors saw. */
    private <T> Flow.Subscriber<T> noting(TestSubscriber<T> s) {
        return noting(s, true);
    }

    /** As {@link #noting(TestSubscriber)}; asks for no items unless {@code ask}. */
    private <T> Flow.Subscriber<T> noting(TestSubscriber<T> s, boolean ask) {
        return new Flow.Subscriber<T>() {
            @Override
            public void onSubscribe(Flow.Subscription sub) {
                if (ask) {
                    s.onSubscribe(sub);
                } else {
                    s.subscription = sub;
                }
            }

            @Override
            public void onNext(T item) {
                s.onNext(item);
            }

            @Override
            public void onError(Throwable t) {
                seen.add("subscriber failed");
                s.onError(t);
            }

            @Override
            public void onComplete() {
                seen.add("subscriber complete");
                s.onComplete();
            }
        };
    }

    @Test
    void streamedResult_isSeenOnBothSides_outcomeBeforeTheSubscriberSeesTheEnd() throws Exception {
        start(a, b);
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        feeds.count(3).subscribe(noting(s));

        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).containsExactly(0, 1, 2);
        assertThat(seen.stream().filter(x -> x.contains(" client ") || x.startsWith("subscriber")).toList())
                .containsExactly(
                        "A client start feeds.count STREAM",
                        "B client start feeds.count STREAM",
                        "B client end count OK",
                        "A client end count OK",
                        "subscriber complete");
        // The servant's exit and the end of its stream race: each comes in reverse order of registration.
        await().untilAsserted(() -> assertThat(seen.stream().filter(x -> x.contains(" server ")).toList())
                .hasSize(6)
                .startsWith("A server start feeds.count", "B server start feeds.count")
                .containsSubsequence("B server exit count", "A server exit count")
                .containsSubsequence("B server end count OK", "A server end count OK"));
        // the server answers when its stream has ended, which the client hears of after
        assertThat(seen.indexOf("A server end count OK")).isLessThan(seen.indexOf("B client end count OK"));
    }

    @Test
    void streamedResult_contextAndDeadline_reachBothSides_andTheDurationCoversTheStream() throws Exception {
        Watcher w = new Watcher();
        start(w);
        TestSubscriber<Integer> s = new TestSubscriber<>(1, item -> {
            if (item == 48) { // the server cannot send the last item before this one was taken
                w.midStream = Duration.ofNanos(System.nanoTime() - w.startNanos);
            }
        });
        Hermod.withOptions(feeds, o -> o.withTimeout(Duration.ofMinutes(5)).withContext("who", "test"))
                .count(50).subscribe(noting(s));

        assertThat(s.awaitEnd()).isNull();
        await().until(() -> w.serverOutcome != null);
        assertThat(w.clientContext).containsEntry("who", "test");
        assertThat(w.serverContext).containsEntry("who", "test").containsEntry("from-client", "yes");
        assertThat(w.left).hasSize(2)
                .allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMinutes(5)));
        // the call's duration covers the stream, not just its start
        assertThat(w.midStream).isPositive();
        assertThat(w.clientOutcome.duration()).isGreaterThanOrEqualTo(w.midStream);
        assertThat(w.serverOutcome.isOk()).isTrue();
    }

    @Test
    void streamedResult_thatFails_isSeenWithItsDeclaredExceptionOrStatus() throws Exception {
        start(a);
        TestSubscriber<String> declared = new TestSubscriber<>(Long.MAX_VALUE);
        feeds.failing(2).subscribe(noting(declared));
        assertThat(declared.awaitEnd()).isInstanceOf(NoSuchEmployee.class);
        assertThat(seenBy("A client")).containsExactly("A client start feeds.failing STREAM",
                "A client end failing DECLARED_EXCEPTION");
        await().untilAsserted(() -> assertThat(seenBy("A server end"))
                .containsExactly("A server end failing DECLARED_EXCEPTION"));

        seen.clear();
        TestSubscriber<String> crashed = new TestSubscriber<>(Long.MAX_VALUE);
        feeds.crashing(1).subscribe(noting(crashed));
        assertThat(crashed.awaitEnd()).isInstanceOf(RemoteException.class);
        assertThat(seenBy("A client end")).containsExactly("A client end crashing REMOTE_FAILURE");
        await().untilAsserted(() -> assertThat(seenBy("A server end"))
                .containsExactly("A server end crashing REMOTE_FAILURE"));
        assertThat(seen.indexOf("A client end crashing REMOTE_FAILURE")).isLessThan(seen.indexOf("subscriber failed"));
    }

    @Test
    void streamedResult_canceledBySubscriber_isSeenCanceledOnBothSides() throws Exception {
        start(a);
        TestSubscriber<Long> s = new TestSubscriber<>(1);
        feeds.endless().subscribe(noting(s));
        await().until(() -> s.items.size() >= 3);
        s.subscription.cancel();

        await().untilAsserted(() -> assertThat(seenBy("A client")).containsExactly(
                "A client start feeds.endless STREAM", "A client end endless CANCELED"));
        await().untilAsserted(() -> assertThat(seenBy("A server end")).containsExactly("A server end endless CANCELED"));
    }

    @Test
    void streamedResult_pastItsDeadline_isSeenTimedOut() throws Exception {
        start(a);
        TestSubscriber<Long> s = new TestSubscriber<>(1);
        // asks for nothing: the stream can only end by its deadline
        Hermod.withOptions(feeds, o -> o.withTimeout(Duration.ofMillis(200))).endless().subscribe(noting(s, false));

        assertThat(s.awaitEnd()).isInstanceOf(InvocationTimeoutException.class);
        assertThat(seenBy("A client")).containsExactly("A client start feeds.endless STREAM",
                "A client end endless TIMEOUT");
    }

    @Test
    void streamedResult_shortCircuited_isNeverSent_andEndsAsDecided() throws Exception {
        ClientInterceptor decide = new ClientInterceptor() {
            @Override
            public void onStart(ClientCall call) {
                switch (call.operation()) {
                    case "count" -> call.respond(null);
                    case "endless" -> call.fail(Status.PERMISSION_DENIED, "no streams today");
                    default -> call.respond("not a stream");
                }
            }
        };
        start(a, decide, b);
        TestSubscriber<Integer> empty = new TestSubscriber<>(1);
        feeds.count(5).subscribe(noting(empty));
        assertThat(empty.awaitEnd()).isNull();
        assertThat(empty.items).isEmpty();

        TestSubscriber<Long> denied = new TestSubscriber<>(1);
        feeds.endless().subscribe(noting(denied));
        assertThat(denied.awaitEnd()).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status()).isEqualTo(Status.PERMISSION_DENIED);
            assertThat(e.isUnprocessed()).isTrue();
        });

        TestSubscriber<String> misuse = new TestSubscriber<>(1);
        feeds.blobs(1, 1).subscribe(noting(misuse));
        assertThat(misuse.awaitEnd()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("respond(null)");

        assertThat(seenBy("A client")).containsExactly(
                "A client start feeds.count STREAM", "A client end count OK",
                "A client start feeds.endless STREAM", "A client end endless PERMISSION_DENIED",
                "A client start feeds.blobs STREAM", "A client end blobs DECLARED_EXCEPTION");
        assertThat(seenBy("B ")).isEmpty();
        assertThat(seenBy("A server")).isEmpty();
        assertThat(servant.made).isEmpty();
    }

    @Test
    void streamedArgument_asyncAndSync_isSeenOnBothSides() throws Exception {
        start(a);
        assertThat(feeds.sum(new TestPublisher<>(4, i -> (int) i, null)).toCompletableFuture().get(30, SECONDS))
                .isEqualTo(6L);
        assertThat(seenBy("A client")).containsExactly("A client start feeds.sum ASYNC", "A client end sum OK");
        await().untilAsserted(() -> assertThat(seenBy("A server end")).containsExactly("A server end sum OK"));

        seen.clear();
        assertThat(client.proxy(SyncSum.class, "feeds").sum(new TestPublisher<>(3, i -> (int) i, null))).isEqualTo(3L);
        assertThat(seenBy("A client")).containsExactly("A client start feeds.sum SYNC", "A client end sum OK");
        await().untilAsserted(() -> assertThat(seenBy("A server end")).containsExactly("A server end sum OK"));
    }

    @Test
    void streamedArgumentAndResult_isSeenOnBothSides() throws Exception {
        start(a);
        TestSubscriber<String> s = new TestSubscriber<>(1);
        feeds.shout(new TestPublisher<>(2, i -> "line " + i, null)).subscribe(noting(s));

        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).containsExactly("LINE 0", "LINE 1");
        assertThat(seenBy("A client")).containsExactly("A client start feeds.shout STREAM", "A client end shout OK");
        await().untilAsserted(() -> assertThat(seenBy("A server end")).containsExactly("A server end shout OK"));
    }

    /** Records what one call shows each side. */
    private static final class Watcher implements ClientInterceptor, ServerInterceptor {
        final List<Duration> left = new CopyOnWriteArrayList<>();
        volatile Map<String, String> clientContext;
        volatile Map<String, String> serverContext;
        volatile CallOutcome clientOutcome;
        volatile CallOutcome serverOutcome;
        volatile Duration midStream = Duration.ZERO;
        volatile long startNanos;

        @Override
        public void onStart(ClientCall call) {
            startNanos = System.nanoTime();
            clientContext = call.context();
            left.add(call.timeRemaining().orElseThrow());
            call.putContext("from-client", "yes");
        }

        @Override
        public void onComplete(ClientCall call, CallOutcome outcome) {
            clientOutcome = outcome;
        }

        @Override
        public void onStart(ServerCall call) {
            serverContext = call.context();
            left.add(call.timeRemaining().orElseThrow());
        }

        @Override
        public void onComplete(ServerCall call, CallOutcome outcome) {
            serverOutcome = outcome;
        }
    }
}
