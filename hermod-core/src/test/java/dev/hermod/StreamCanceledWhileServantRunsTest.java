package dev.hermod;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A result stream canceled while its servant method still runs, before it returns its publisher:
 * the cancel finds no stream to answer for, so the answer is left to the servant's return. The
 * invocation must still end then, or it holds its place in dispatch for good: with one call in
 * flight allowed per connection, no later call of the connection runs, and once the connection is
 * closed a graceful shutdown waits for it the whole grace period.
 */
@Timeout(value = 60, unit = SECONDS)
final class StreamCanceledWhileServantRunsTest {
    private static final Duration WITHIN = Duration.ofSeconds(10);

    @Remote
    public interface Feed {
        /** A stream that the servant returns only once the test lets it. */
        Flow.Publisher<Integer> items();

        /** {@code n}, at once. */
        int echo(int n);
    }

    static final class SlowFeed implements Feed {
        final CompletableFuture<Current> running = new CompletableFuture<>();
        final CountDownLatch returnNow = new CountDownLatch(1);
        final SubmissionPublisher<Integer> returned = new SubmissionPublisher<>(Runnable::run, 4);

        @Override
        public Flow.Publisher<Integer> items() {
            running.complete(Current.get());
            boolean interrupted = false;
            while (returnNow.getCount() > 0) {
                try {
                    returnNow.await(); // the cancel interrupts it: it goes on waiting all the same
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return returned;
        }

        @Override
        public int echo(int n) {
            return n;
        }
    }

    private final SlowFeed servant = new SlowFeed();
    private Server server;
    private Client client;

    @BeforeEach
    void start() {
        // Long enough that a shutdown held back by a call that never ends cannot pass for one that is not.
        server = Hermod.server().host("127.0.0.1").shutdownGracePeriod(Duration.ofSeconds(60))
                .maxInFlightPerConnection(1)
                .add("feed", Feed.class, servant).start();
        client = TestServers.client(server);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.shutdownNow();
        server.awaitTermination(WITHIN);
    }

    @Test
    void result_canceledBeforeTheServantReturns_invocationEnds() throws Exception {
        TestSubscriber<Integer> s = new TestSubscriber<>(8);
        client.proxy(Feed.class, "feed").items().subscribe(s);
        Current call = servant.running.get(WITHIN.toSeconds(), SECONDS);
        s.subscription.cancel();
        await().atMost(WITHIN).until(call::isCanceled); // the server got the CANCEL
        servant.returnNow.countDown();

        await().atMost(WITHIN).until(() -> !servant.returned.hasSubscribers()); // subscribed only to cancel
        Feed feed = Hermod.withOptions(client.proxy(Feed.class, "feed"), o -> o.withTimeout(WITHIN));
        // Before the fix: an InvocationTimeoutException, the canceled call kept the connection's one slot.
        assertThat(feed.echo(7)).isEqualTo(7);
    }

    @Test
    void result_clientClosedBeforeTheServantReturns_invocationEnds() throws Exception {
        TestSubscriber<Integer> s = new TestSubscriber<>(8);
        client.proxy(Feed.class, "feed").items().subscribe(s);
        Current call = servant.running.get(WITHIN.toSeconds(), SECONDS);
        client.close();
        await().atMost(WITHIN).until(call::isCanceled); // the server saw the connection close
        servant.returnNow.countDown();

        await().atMost(WITHIN).until(() -> !servant.returned.hasSubscribers());
        server.shutdown();
        // Before the fix: false, the call never left dispatch; the shutdown waited its 60 s.
        assertThat(server.awaitTermination(WITHIN)).isTrue();
    }
}
