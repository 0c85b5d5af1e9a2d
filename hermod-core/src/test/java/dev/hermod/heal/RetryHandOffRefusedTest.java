package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Relay;
import dev.hermod.Server;
import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.intercept.Vitals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls to re-send after their connection was cut, while the user's callback executor is full and
 * refuses work (a bounded pool with {@code AbortPolicy}, which the client supports): the re-sends
 * still go out, instead of each refusal counting as one more failed attempt, re-sent at once and
 * refused again until the stack overflows on the I/O thread that closes the connection, leaving
 * its calls without an outcome.
 */
@Timeout(value = 60, unit = SECONDS)
final class RetryHandOffRefusedTest {
    private static final int CALLS = 4;

    private final Semaphore unblock = new Semaphore(0);
    private final ThreadPoolExecutor callbacks =
            new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.AbortPolicy());
    private final ExecutorService callers = Executors.newFixedThreadPool(CALLS);
    private Server server;
    private Client client;
    private Relay relay;

    @AfterEach
    void close() throws Exception {
        unblock.release(2);
        if (relay != null) {
            relay.close();
        }
        Ports.closeAll(client, server);
        callers.shutdownNow();
        callbacks.shutdownNow();
    }

    /** Occupies the executor's one thread and fills its queue of one: it refuses whatever comes next. */
    private void fillCallbackExecutor() throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        callbacks.execute(() -> {
            busy.countDown();
            unblock.acquireUninterruptibly();
        });
        assertThat(busy.await(20, SECONDS)).isTrue();
        callbacks.execute(unblock::acquireUninterruptibly);
    }

    @Test
    void idempotentCalls_connectionCutWhileCallbackExecutorRefuses_areSentAgainAndSucceed() throws Exception {
        MemoryStore store = new MemoryStore();
        store.values.put("k", "v");
        server = Hermod.server().host("127.0.0.1").add("store", Store.class, store).start();
        relay = new Relay(server.port());
        AtomicReference<Vitals> vitals = new AtomicReference<>();
        client = Hermod.client().target("tcp://127.0.0.1:" + relay.port()).callbackExecutor(callbacks)
                .callTimeout(Duration.ofDays(1)) // no deadline ends a call that is left behind
                .intercept(new ClientInterceptor() {
                    @Override
                    public void bind(Vitals v) {
                        vitals.set(v);
                    }
                }).build();
        Store proxy = client.proxy(Store.class, "store");
        assertThat(proxy.read("k")).isEqualTo("v"); // connected: what the relay holds back next are replies
        fillCallbackExecutor();
        relay.holdReplies(true);
        List<CompletableFuture<String>> reads = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            reads.add(CompletableFuture.supplyAsync(() -> proxy.read("k"), callers));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> store.reads.get() == 1 + CALLS);

        relay.cutAll(); // the client fails the calls waiting for replies, on its I/O thread, and re-sends them
        relay.holdReplies(false);

        await().atMost(Duration.ofSeconds(30)).until(() -> reads.stream().allMatch(CompletableFuture::isDone));
        for (CompletableFuture<String> read : reads) {
            assertThat(read.get(1, SECONDS)).isEqualTo("v");
        }
        assertThat(relay.connections()).as("connections made: the calls were sent again on a new one").isEqualTo(2);
        assertThat(vitals.get().retries()).as("re-sends, each within maxAttempts (5)").isBetween((long) CALLS,
                4L * CALLS);
    }
}
