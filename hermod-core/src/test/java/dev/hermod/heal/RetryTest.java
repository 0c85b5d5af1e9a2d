package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 item 6: a call whose connection is killed while the server runs it is sent again, over
 * a new connection to the restarted server, when its operation is {@code @Idempotent}, within its
 * deadline and the retry budget; one that is not idempotent fails, since it may have run.
 */
@Timeout(value = 60, unit = SECONDS)
final class RetryTest {
    private Client client;
    private Server first;
    private Server second;

    /** A store whose calls wait in the servant until released, so that the connection can be killed under them. */
    static final class GatedStore extends MemoryStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final Semaphore gate = new Semaphore(0);

        @Override
        public String read(String key) {
            entered.countDown();
            gate.acquireUninterruptibly();
            return super.read(key);
        }

        @Override
        public String append(String key, String suffix) {
            entered.countDown();
            gate.acquireUninterruptibly();
            return super.append(key, suffix);
        }
    }

    @AfterEach
    void close() {
        Ports.closeAll(client, first, second);
    }

    /**
     * Starts {@code call} on a client that {@code builder} configures, against a server that holds
     * it in the servant, then kills the server under it: the call may have run.
     */
    private CompletableFuture<String> killedWhileServed(Client.Builder builder, Function<Store, String> call)
            throws Exception {
        GatedStore gated = new GatedStore();
        first = Hermod.server().host("127.0.0.1").add("store", Store.class, gated).start();
        client = builder.target("tcp://127.0.0.1:" + first.port()).callTimeout(Duration.ofSeconds(30)).build();
        Store store = client.proxy(Store.class, "store");
        CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> call.apply(store));
        assertThat(gated.entered.await(20, SECONDS)).isTrue();
        first.shutdownNow();
        gated.gate.release(10);
        return result;
    }

    @Test
    void idempotentCall_connectionKilledWhileServed_isSentAgainAndSucceeds() throws Exception {
        CompletableFuture<String> read = killedWhileServed(Hermod.client()
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)), store -> store.read("k"));
        MemoryStore fresh = new MemoryStore();
        fresh.values.put("k", "v");
        second = Hermod.server().host("127.0.0.1").port(first.port()).add("store", Store.class, fresh).start();

        assertThat(read.get(20, SECONDS)).isEqualTo("v");
        assertThat(fresh.reads).hasValue(1);
    }

    @Test
    void nonIdempotentCall_connectionKilledWhileServed_failsAsPossiblyProcessed() throws Exception {
        CompletableFuture<String> append = killedWhileServed(Hermod.client(), store -> store.append("k", "x"));

        ExecutionException e = assertThrows(ExecutionException.class, () -> append.get(20, SECONDS));
        assertThat(e.getCause()).isInstanceOf(ConnectionException.class);
        assertThat(((ConnectionException) e.getCause()).isUnprocessed()).isFalse();
    }

    @Test
    void idempotentCall_budgetSpent_failsWithoutRetry() throws Exception {
        CompletableFuture<String> read = killedWhileServed(Hermod.client().retryBudget(0, 0), store -> store.read("k"));

        ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(20, SECONDS));
        assertThat(e.getCause()).isInstanceOf(ConnectionException.class);
    }

    @Test
    void call_serverRestarting_waitsForItAndSucceeds() throws Exception {
        first = Hermod.server().host("127.0.0.1").add("store", Store.class, new MemoryStore()).start();
        int port = first.port();
        client = Hermod.client().target("tcp://127.0.0.1:" + port).callTimeout(Duration.ofSeconds(30))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
        Store store = client.proxy(Store.class, "store");
        assertThat(store.append("k", "x")).isEqualTo("x");
        first.shutdown();
        assertThat(first.awaitTermination(Duration.ofSeconds(20))).isTrue();

        // Not idempotent, but it cannot reach the server: it waits for the server to come back.
        CompletableFuture<String> append =
                CompletableFuture.supplyAsync(() -> store.append("k", "y"));
        MemoryStore fresh = new MemoryStore();
        second = Hermod.server().host("127.0.0.1").port(port).add("store", Store.class, fresh).start();
        assertThat(append.get(20, SECONDS)).isEqualTo("y");
        assertThat(fresh.appends).hasValue(1);
    }

    @Test
    void call_serverNeverReached_failsAtOnce() throws Exception {
        client = Hermod.client().target("tcp://127.0.0.1:" + Ports.free()).callTimeout(Duration.ofSeconds(30)).build();
        Store store = client.proxy(Store.class, "store");
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> store.append("k", "x"));
        assertThat(t).isInstanceOf(ConnectionException.class);
        assertThat(((ConnectionException) t).isUnprocessed()).isTrue();
    }
}
