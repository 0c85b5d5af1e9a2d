package dev.hermod.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.ObjectNotFoundException;
import dev.hermod.Remote;
import dev.hermod.Relay;
import dev.hermod.Server;
import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that stops reading a connection for its limits must start again when the requests it
 * holds end, even when they all end while its I/O thread is deciding to stop. The I/O thread is
 * held at that moment ({@link Inbound#beforeSecondLook}) until the connection's requests have
 * ended, so the race the bench's {@code oneway} scenario lost now and then (a two-way call behind
 * batched oneway calls, unanswered for 30 s) happens every time. The replies' pause of a
 * connection's requests had the same race ({@link Replies#beforePause}), and so had room taken
 * for a reply that is not sent after all ({@link Replies#afterReserve}), and a request pipelined
 * on one being answered ({@link Invocation#beforeUnserved}).
 */
final class LostWakeUpTest {
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

    @Remote
    public interface Replier {
        /** {@code n} bytes, once the test lets the first call end. */
        byte[] big(int n);

        /** {@code tag}, at once, or for tag 2 once the test lets it. */
        int small(int tag);
    }

    @CompanionOf(Replier.class)
    public interface ReplierAsync {
        AsyncResult<byte[]> big(int n);

        AsyncResult<Integer> small(int tag);
    }

    static final class ReplierImpl implements Replier {
        final CountDownLatch first = new CountDownLatch(1);
        final CountDownLatch second = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();

        @Override
        public byte[] big(int n) {
            started.incrementAndGet();
            await(first);
            return new byte[n];
        }

        @Override
        public int small(int tag) {
            if (tag == 2) {
                started.incrementAndGet();
                await(second);
            }
            return tag;
        }

        private static void await(CountDownLatch latch) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Remote
    public interface Feed {
        /** A stream that sends nothing and ends when the test says. */
        Flow.Publisher<Integer> items();
    }

    static final class FeedImpl implements Feed {
        /** The server's subscriber to the stream, once the call runs. */
        final CompletableFuture<Flow.Subscriber<? super Integer>> subscriber = new CompletableFuture<>();

        @Override
        public Flow.Publisher<Integer> items() {
            return s -> {
                s.onSubscribe(new Idle());
                subscriber.complete(s);
            };
        }
    }

    /** A subscription that asks for nothing, and that the caller cancels when it wants. */
    static final class Idle implements Flow.Subscription, Flow.Subscriber<Integer> {
        final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(Integer item) {
        }

        @Override
        public void onError(Throwable failure) {
        }

        @Override
        public void onComplete() {
        }
    }

    @Remote
    public interface Counter {
        void hit(byte[] data);

        int count();
    }

    static final class CounterImpl implements Counter {
        final AtomicInteger hits = new AtomicInteger();

        @Override
        public void hit(byte[] data) {
            hits.incrementAndGet();
        }

        @Override
        public int count() {
            return hits.get();
        }
    }

    private final CounterImpl counter = new CounterImpl();
    private Server server;
    private Client client;

    private Relay relay;

    @AfterEach
    void tearDown() throws Exception {
        Inbound.beforeSecondLook = null;
        Replies.beforePause = null;
        Replies.afterReserve = null;
        Invocation.beforeUnserved = null;
        if (relay != null) {
            relay.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * Holds the I/O thread, the next time it decides to stop, until the connection's requests
     * ended (and, with {@code andTheirBytes}, gave back the request bytes they held; a batch
     * frame whose items wait holds its bytes until then). Once: a two-way request stays in
     * dispatch until the I/O thread writes its reply. At most 2 s.
     */
    private static void endEverythingFirst(boolean andTheirBytes) {
        AtomicBoolean once = new AtomicBoolean();
        Inbound.beforeSecondLook = inbound -> {
            if (!once.compareAndSet(false, true)) {
                return;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while ((inbound.inFlight() > 0 || andTheirBytes && inbound.held() > 0)
                    && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
        };
    }

    private Counter start(Server.Builder builder) {
        server = builder.host("127.0.0.1").add("counter", Counter.class, counter).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        return Hermod.withOptions(client.proxy(Counter.class, "counter"), o -> o.withTimeout(ANSWER_WITHIN));
    }

    @Test
    void batchPastTheInFlightLimit_itsItemsEndWhileTheServerDecidesToStopReading_laterCallsAreStillRead() {
        Counter twoway = start(Hermod.server().maxInFlightPerConnection(2));
        assertThat(twoway.count()).isZero(); // connected, before the race is widened
        endEverythingFirst(false);

        Counter batch = Hermod.batch(twoway);
        for (int i = 0; i < 8; i++) {
            batch.hit(new byte[16]);
        }
        Hermod.flush(batch);

        // A two-way call may overtake oneway ones; before the fix it timed out: reading stopped for good.
        await().atMost(ANSWER_WITHIN).until(twoway::count, n -> n == 8);
    }

    @Test
    void requestsPastTheByteLimit_endWhileTheServerDecidesToStopReading_laterCallsAreStillRead() {
        Counter twoway = start(Hermod.server().maxRequestBytesPerConnection(1));
        assertThat(twoway.count()).isZero();
        endEverythingFirst(true);

        Counter oneway = Hermod.oneway(twoway);
        for (int i = 0; i < 8; i++) {
            oneway.hit(new byte[100_000]); // decoded off the I/O thread, and counted until it ends
        }

        // A two-way call may overtake oneway ones; before the fix it timed out: reading stopped for good.
        await().atMost(ANSWER_WITHIN).until(twoway::count, n -> n == 8);
    }

    /**
     * The same race for the replies: a reply that finds no room is deferred and pauses the
     * connection's requests; the room made meanwhile resumes them, and the pause, decided on an
     * older look, came after. The reply's thread is held between its look and its pause until
     * the deferred reply is written and the requests resumed; a call made after must still run.
     */
    @Test
    void replyDeferredWhileTheRoomIsMade_laterCallsOfTheConnectionStillRun() throws Exception {
        ReplierImpl replier = new ReplierImpl();
        server = Hermod.server().host("127.0.0.1").maxReplyBytesPerConnection(64 * 1024)
                .add("replier", Replier.class, replier).start();
        relay = new Relay(server.port());
        client = Hermod.client("tcp://127.0.0.1:" + relay.port());
        ReplierAsync async = client.proxy(ReplierAsync.class, "replier");
        Replier sync = Hermod.withOptions(client.proxy(Replier.class, "replier"), o -> o.withTimeout(ANSWER_WITHIN));

        AsyncResult<byte[]> first = async.big(8 << 20);
        AsyncResult<Integer> second = async.small(2);
        await().atMost(ANSWER_WITHIN).until(() -> replier.started.get() == 2); // both running, no reply yet
        relay.holdReplies(true);
        relay.reset();
        replier.first.countDown();
        // The first reply is being written, and stays unwritten: the second will find no room.
        // Its 8 MiB count against the connection's 64 KiB from the moment it is handed over; the
        // relay holds the first piece it reads, of whatever size, and reads no more.
        await().atMost(ANSWER_WITHIN).until(() -> relay.toClient() > 0);

        AtomicBoolean held = new AtomicBoolean();
        Replies.beforePause = replies -> {
            if (!held.compareAndSet(false, true)) {
                return;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while ((!second.isDone() || replies.pending()) && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            sleep(100); // the thread that wrote the last reply resumes the requests meanwhile
        };
        replier.second.countDown();
        await().atMost(ANSWER_WITHIN).untilTrue(held); // the second reply, deferred
        relay.holdReplies(false);

        assertThat(first.value()).hasSize(8 << 20);
        assertThat(second.value()).isEqualTo(2);
        // Before the fix: timed out, the connection's requests paused for good.
        assertThat(sync.small(3)).isEqualTo(3);
    }

    /**
     * A stream that ends as its caller cancels: the end takes room for its reply, as much as the
     * connection's limit before the first reply is sized, and no request of the connection is
     * admitted while it holds it; the cancel's reply is sent instead, and the room is given back.
     * The ending thread is held once it has taken the room until the cancel's reply is written
     * and a later request waits; that request must still run.
     */
    @Test
    void streamEndsAsItsCallerCancels_laterCallsOfTheConnectionStillRun() throws Exception {
        FeedImpl feed = new FeedImpl();
        server = Hermod.server().host("127.0.0.1").add("replier", Replier.class, new ReplierImpl())
                .add("feed", Feed.class, feed).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        Replier sync = Hermod.withOptions(client.proxy(Replier.class, "replier"), o -> o.withTimeout(ANSWER_WITHIN));
        Idle caller = new Idle();
        client.proxy(Feed.class, "feed").items().subscribe(caller);
        Flow.Subscriber<? super Integer> served = feed.subscriber.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS);

        AtomicBoolean held = new AtomicBoolean();
        Replies.afterReserve = connection -> {
            if (!held.compareAndSet(false, true)) {
                return;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while ((connection.inFlight() > 0 || connection.held() == 0) && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait(); // until the stream's call has ended, and a later request's frame waits
            }
        };
        CompletableFuture<Void> ended = CompletableFuture.runAsync(served::onComplete);
        await().atMost(ANSWER_WITHIN).untilTrue(held); // the end took the room
        caller.subscription.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS).cancel(); // and its reply loses to the cancel's

        // Before the fix: timed out, the request waited for room given back without a look.
        assertThat(sync.small(3)).isEqualTo(3);
        ended.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * A request pipelined on another ({@code ^k}) waits while k is being served, and is refused
     * once k answers with no object reference. One that parks as k's reply is being sent must
     * be refused too, not wait until the connection closes. k's replying thread is held just
     * before k stops counting as served until the pipelined request has parked.
     */
    @Test
    void pipelinedOnACallAnsweredMeanwhile_itsResultNoReference_failsAtOnce() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("replier", Replier.class, new ReplierImpl()).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        ReplierAsync async = client.proxy(ReplierAsync.class, "replier");
        assertThat(async.small(1).value()).isEqualTo(1); // connected, before the race is widened

        AtomicInteger answering = new AtomicInteger();
        Invocation.beforeUnserved = (connection, id) -> {
            if (!answering.compareAndSet(0, id)) {
                return;
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!connection.pipelines.anyWaiting() && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait(); // until the request pipelined on this one says it waits
            }
            // It says so before it looks whether this one is served (Pipelines#arrived, under the
            // lock): once the lock is free, it has looked and parked, as the race to widen needs.
            synchronized (connection.pipelines) {
                // entered once the pipelined request's arrival has run
            }
        };
        AsyncResult<Integer> first = async.small(3);
        await().atMost(ANSWER_WITHIN).until(() -> answering.get() != 0); // answered, still counted as served
        Replier pipelined = Hermod.withOptions(client.proxy(Replier.class, "^" + answering.get()),
                o -> o.withTimeout(ANSWER_WITHIN));

        // Before the fix: timed out, the request waited for a settlement that had been skipped.
        assertThatThrownBy(() -> pipelined.small(4)).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("pipelined on ^");
        assertThat(first.value()).isEqualTo(3);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
