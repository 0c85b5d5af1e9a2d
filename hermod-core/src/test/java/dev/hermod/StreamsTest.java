package dev.hermod;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.internal.stream.StreamIn;
import dev.hermod.internal.stream.StreamOut;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streams over loopback: results, arguments, both at once, with back-pressure, cancel, deadlines and errors. */
@Timeout(value = 60, unit = SECONDS)
final class StreamsTest {
    private final FeedsImpl servant = new FeedsImpl();
    private Server server;
    private Client client;
    private Feeds feeds;

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").add("feeds", Feeds.class, servant).start();
        client = TestServers.client(server);
        feeds = client.proxy(Feeds.class, "feeds");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void result_everyItemInOrder_thenComplete() throws Exception {
        TestSubscriber<Integer> s = new TestSubscriber<>(Long.MAX_VALUE);
        feeds.count(1000).subscribe(s);
        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).containsExactlyElementsOf(IntStream.range(0, 1000).boxed().toList());
    }

    @Test
    void result_empty_completes() throws Exception {
        TestSubscriber<Integer> s = new TestSubscriber<>(1);
        feeds.count(0).subscribe(s);
        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).isEmpty();
    }

    @Test
    void result_eachSubscriptionIsACall() throws Exception {
        Flow.Publisher<Integer> p = feeds.count(3);
        for (int i = 0; i < 2; i++) {
            TestSubscriber<Integer> s = new TestSubscriber<>(2);
            p.subscribe(s);
            assertThat(s.awaitEnd()).isNull();
            assertThat(s.items).containsExactly(0, 1, 2);
        }
        assertThat(servant.made).hasSize(2);
    }

    @Test
    void result_oneAtATime_neverMoreThanOneInFlightOrBuffered() throws Exception {
        long[] gap = new long[1];
        TestPublisher<?>[] made = new TestPublisher<?>[1];
        TestSubscriber<Integer> s = new TestSubscriber<>(1, item -> {
            if (made[0] == null) {
                made[0] = servant.made.peek();
            }
            // emitted by the servant and not yet delivered here: on the wire, or in a buffer
            gap[0] = Math.max(gap[0], made[0].emitted.get() - (item + 1));
        });
        feeds.count(300).subscribe(s);
        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).hasSize(300);
        assertThat(gap[0]).isLessThanOrEqualTo(1);
        assertThat(made[0].maxUnfulfilled.get()).isEqualTo(1); // the servant was never asked for more
    }

    /**
     * Small items widen the window (as many as fit in 256 KiB, up to MAX_WINDOW), so that a stream
     * of them is not bound by round trips; it stays bounded all the same.
     */
    @Test
    void result_smallItems_widerWindow_stillBounded() throws Exception {
        long[] gap = new long[1];
        TestSubscriber<Integer> s = new TestSubscriber<>(Long.MAX_VALUE, item -> {
            long inFlight = servant.made.peek().emitted.get() - (item + 1);
            gap[0] = Math.max(gap[0], inFlight);
            if (item == 100) {
                sleep(300); // the producer runs ahead as far as the window lets it
                gap[0] = Math.max(gap[0], servant.made.peek().emitted.get() - (item + 1));
            }
        });
        feeds.count(5_000).subscribe(s);
        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).hasSize(5_000);
        assertThat(gap[0]).isGreaterThan(StreamIn.WINDOW).isLessThanOrEqualTo(StreamIn.MAX_WINDOW);
    }

    /**
     * The servant's publisher is asked ahead of what the transport has written by as many small
     * items as fit in 256 KiB, not by 16: asked 8 at a time, a stream of small items cost a hop
     * to the servant's executor every 8 items. Large items stay at 16 ahead (the test above).
     */
    @Test
    void result_smallItems_theServantIsAskedFurtherAhead() throws Exception {
        TestSubscriber<Integer> s = new TestSubscriber<>(Long.MAX_VALUE);
        feeds.count(20_000).subscribe(s);
        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).hasSize(20_000);
        assertThat(servant.made.peek().maxUnfulfilled.get()).isGreaterThan(StreamOut.AHEAD)
                .isLessThanOrEqualTo(StreamOut.MAX_AHEAD);
    }

    @Test
    void result_slowSubscriberAskingForEverything_boundedByTheWindow() throws Exception {
        long[] gap = new long[1];
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE, item -> {
            TestPublisher<?> p = servant.made.peek();
            gap[0] = Math.max(gap[0], p.emitted.get());
            sleep(2);
        });
        // 200 items of 64 KiB against a subscriber that takes 2 ms each.
        feeds.blobs(200, 64 * 1024).subscribe(new Flow.Subscriber<String>() {
            long delivered;

            @Override
            public void onSubscribe(Flow.Subscription sub) {
                s.onSubscribe(sub);
            }

            @Override
            public void onNext(String item) {
                delivered++;
                long inFlight = servant.made.peek().emitted.get() - delivered;
                gap[0] = Math.max(gap[0], inFlight);
                sleep(2);
                s.items.add(item);
            }

            @Override
            public void onError(Throwable t) {
                s.onError(t);
            }

            @Override
            public void onComplete() {
                s.onComplete();
            }
        });
        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).hasSize(200);
        assertThat(gap[0]).isLessThanOrEqualTo(StreamIn.WINDOW); // 64 KiB items: the window stays at 32
        assertThat(servant.made.peek().maxUnfulfilled.get()).isLessThanOrEqualTo(StreamIn.WINDOW)
                .isLessThanOrEqualTo(StreamOut.AHEAD);
    }

    @Test
    void result_noSignalOverlapsOnSubscribe() throws Exception {
        // Rule 1.3: items asked for inside onSubscribe come after it returns, even when they
        // arrive while it runs (here it waits until the servant has emitted them all).
        TestSubscriber<Integer> s = new TestSubscriber<>(Long.MAX_VALUE, x -> { }, () -> {
            await().atMost(Duration.ofSeconds(20)).until(() -> servant.made.peek() != null
                    && servant.made.peek().emitted.get() == 10);
            sleep(50); // and give them time to arrive: a signal now would overlap
        });
        feeds.count(10).subscribe(s);
        assertThat(s.awaitEnd()).isNull();
        assertThat(s.items).hasSize(10);
        assertThat(s.overlapped).isFalse();
    }

    @Test
    void result_cancel_reachesTheServantsSubscription() throws Exception {
        TestSubscriber<Long> s = new TestSubscriber<>(5);
        feeds.endless().subscribe(s);
        await().atMost(Duration.ofSeconds(20)).until(() -> s.items.size() >= 20);
        s.subscription.cancel();
        TestPublisher<?> p = servant.made.take();
        assertThat(p.canceled.await(20, SECONDS)).isTrue();
    }

    @Test
    void result_aBusyStream_leavesTheCallbackThreadToOthersInTurn() throws Exception {
        // One callback thread, and a stream whose subscriber takes everything but is slow, so
        // items are always waiting for it: the stream must still let another stream's signals
        // through, not keep the thread for as long as it has items.
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (Client lone = Hermod.client().target("tcp://127.0.0.1:" + server.port()).callbackExecutor(one).build()) {
            Feeds lonely = lone.proxy(Feeds.class, "feeds");
            TestSubscriber<Long> busy = new TestSubscriber<>(Long.MAX_VALUE, item -> sleep(1));
            lonely.endless().subscribe(busy);
            await().atMost(Duration.ofSeconds(20)).until(() -> busy.items.size() >= 50);

            TestSubscriber<Integer> other = new TestSubscriber<>(Long.MAX_VALUE);
            lonely.count(3).subscribe(other);

            assertThat(other.awaitEnd()).isNull();
            assertThat(other.items).containsExactly(0, 1, 2);
            busy.subscription.cancel();
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void result_deadline_endsTheStream() throws Exception {
        Feeds brief = Hermod.withOptions(feeds, o -> o.withTimeout(Duration.ofMillis(500)));
        TestSubscriber<Long> s = new TestSubscriber<>(1, x -> sleep(20));
        brief.endless().subscribe(s);
        assertThat(s.awaitEnd()).isInstanceOf(InvocationTimeoutException.class);
        assertThat(servant.made.take().canceled.await(20, SECONDS)).isTrue(); // and the server stopped
    }

    @Test
    void result_declaredFailure_arrivesTypedAfterTheItems() throws Exception {
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        feeds.failing(3).subscribe(s);
        assertThat(s.awaitEnd()).isInstanceOf(NoSuchEmployee.class);
        assertThat(((NoSuchEmployee) s.end.get()).number()).isEqualTo(3);
        assertThat(s.items).containsExactly("item 0", "item 1", "item 2");
    }

    @Test
    void result_undeclaredFailure_arrivesAsRemoteException() throws Exception {
        TestSubscriber<String> s = new TestSubscriber<>(Long.MAX_VALUE);
        feeds.crashing(2).subscribe(s);
        Throwable t = s.awaitEnd();
        assertThat(t).isInstanceOf(RemoteException.class).hasMessageContaining("broke after 2");
    }

    @Test
    void result_connectionLost_failsTheStreamPromptly() throws Exception {
        TestSubscriber<Long> s = new TestSubscriber<>(1, x -> sleep(5));
        Hermod.withOptions(feeds, o -> o.withTimeout(Duration.ofMinutes(5))).endless().subscribe(s);
        await().atMost(Duration.ofSeconds(20)).until(() -> s.items.size() >= 3);
        server.shutdownNow();
        assertThat(s.awaitEnd()).isInstanceOf(ConnectionException.class);
    }

    @Test
    void result_clientClosedWhileStreaming_failsTheStream() throws Exception {
        // The close reaches the I/O thread after the closing thread has shut the client's
        // callback executor down, and no delivery is under way to take the end along (the
        // subscriber has the one item it asked for): the stream must end all the same. Holding
        // the subscription (the stream itself) keeps the I/O thread from ending it until then.
        TestSubscriber<Long> s = TestSubscriber.askingOnce(1);
        Hermod.withOptions(feeds, o -> o.withTimeout(Duration.ofMinutes(5))).endless().subscribe(s);
        await().atMost(Duration.ofSeconds(20)).until(() -> s.items.size() == 1 && !anyThreadIn("drainLoop"));
        synchronized (s.subscription) {
            client.shutdownNow(); // the callback executor is shut down when it returns
            await().atMost(Duration.ofSeconds(20)).until(() -> clientIoThreadBlockedOn(s.subscription));
        }
        assertThat(s.end).succeedsWithin(Duration.ofSeconds(10)).isInstanceOf(ConnectionException.class);
    }

    @Test
    void result_subscribedAfterTheClientClosed_failsTheStream() {
        Flow.Publisher<Long> endless = feeds.endless();
        client.close();
        TestSubscriber<Long> s = new TestSubscriber<>(1);

        endless.subscribe(s); // rule 1.9: no exception, the subscriber learns it from onError

        assertThat(s.end).succeedsWithin(Duration.ofSeconds(10)).isInstanceOf(IllegalStateException.class);
    }

    /** Whether some thread is in the {@link StreamIn} method named {@code method}. */
    private static boolean anyThreadIn(String method) {
        return Thread.getAllStackTraces().values().stream().flatMap(java.util.Arrays::stream)
                .anyMatch(f -> f.getClassName().equals(StreamIn.class.getName()) && f.getMethodName().equals(method));
    }

    /** Whether one of the client's I/O threads waits for {@code monitor}. */
    private static boolean clientIoThreadBlockedOn(Object monitor) {
        int id = System.identityHashCode(monitor);
        return java.util.Arrays.stream(java.lang.management.ManagementFactory.getThreadMXBean()
                        .dumpAllThreads(false, false))
                .anyMatch(t -> t.getThreadName().startsWith("hermod-client-io")
                        && t.getThreadState() == Thread.State.BLOCKED
                        && t.getLockInfo() != null && t.getLockInfo().getIdentityHashCode() == id);
    }

    @Test
    void argument_streamedToTheServant() throws Exception {
        TestPublisher<Integer> numbers = new TestPublisher<>(1000, i -> (int) i, null);
        long total = feeds.sum(numbers).toCompletableFuture().get(30, SECONDS);
        assertThat(total).isEqualTo(999L * 1000 / 2);
        assertThat(numbers.maxUnfulfilled.get()).isLessThanOrEqualTo(1); // the servant asks one at a time
    }

    @Test
    void argument_failureOnTheCallersSide_reachesTheServant() {
        TestPublisher<Integer> numbers = new TestPublisher<>(5, i -> (int) i, new IllegalStateException("disk gone"));
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> feeds.sum(numbers).toCompletableFuture().get(30, SECONDS));
        assertThat(t).hasMessageContaining("disk gone");
    }

    @Test
    void argument_endingAtOnce_theServantSeesTheEnd() throws Exception {
        // Ends inside subscribe, as Flux.empty() or a closed SubmissionPublisher does: its END
        // frame must not overtake the request it names.
        Flow.Publisher<Integer> none = s -> {
            s.onSubscribe(new NoDemand());
            s.onComplete();
        };
        assertThat(feeds.sum(none).toCompletableFuture().get(30, SECONDS)).isZero();
    }

    @Test
    void argument_failingAtOnce_theServantSeesTheFailure() {
        Flow.Publisher<Integer> broken = s -> {
            s.onSubscribe(new NoDemand());
            s.onError(new IllegalStateException("no disk"));
        };
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> feeds.sum(broken).toCompletableFuture().get(30, SECONDS));
        assertThat(t).hasMessageContaining("no disk");
    }

    /** A subscription for publishers that end without emitting. */
    private static final class NoDemand implements Flow.Subscription {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    }

    @Test
    void bothDirections_atOnce() throws Exception {
        SubmissionPublisher<String> lines = new SubmissionPublisher<>();
        TestSubscriber<String> answers = new TestSubscriber<>(1);
        feeds.shout(lines).subscribe(answers);
        // A SubmissionPublisher drops what is submitted before it has subscribers: the call
        // subscribes once it is sent.
        await().atMost(Duration.ofSeconds(20)).until(() -> lines.getNumberOfSubscribers() == 1);
        for (String line : List.of("hello", "how are you", "bye")) {
            int before = answers.items.size();
            lines.submit(line);
            // each answer comes back before the next line is sent: a conversation
            await().atMost(Duration.ofSeconds(20)).until(() -> answers.items.size() == before + 1);
        }
        lines.close();
        assertThat(answers.awaitEnd()).isNull();
        assertThat(answers.items).containsExactly("HELLO", "HOW ARE YOU", "BYE");
    }

    @Test
    void blockingStream_yieldsEveryItem() {
        try (java.util.stream.Stream<Integer> numbers = Hermod.blockingStream(feeds.count(100), 8)) {
            assertThat(numbers.mapToInt(Integer::intValue).sum()).isEqualTo(99 * 100 / 2);
        }
    }

    @Test
    void blockingStream_closedEarly_cancelsOnTheServer() throws Exception {
        try (java.util.stream.Stream<Long> numbers = Hermod.blockingStream(feeds.endless(), 4)) {
            assertThat(numbers.limit(10).count()).isEqualTo(10);
        }
        assertThat(servant.made.take().canceled.await(20, SECONDS)).isTrue();
    }

    @Test
    void blockingStream_declaredFailure_thrownWrapped() throws Exception {
        java.util.stream.Stream<String> lines = Hermod.blockingStream(feeds.failing(2), 4);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(lines::count))
                .isInstanceOf(java.util.concurrent.CompletionException.class)
                .hasCauseInstanceOf(NoSuchEmployee.class);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
