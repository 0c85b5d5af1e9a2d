package dev.hermod.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Remote;
import dev.hermod.Server;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that stops reading a connection for its limits must start again when the requests it
 * holds end, even when they all end while its I/O thread is deciding to stop. The I/O thread is
 * held at that moment ({@link Inbound#beforeSecondLook}) until the connection's requests have
 * ended, so the race the bench's {@code oneway} scenario lost now and then (a two-way call behind
 * batched oneway calls, unanswered for 30 s) happens every time.
 */
final class LostWakeUpTest {
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

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

    @AfterEach
    void tearDown() {
        Inbound.beforeSecondLook = null;
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
}
