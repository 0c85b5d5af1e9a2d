package dev.hermod.issues;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Remote;
import dev.hermod.Server;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Server.shutdownNow()} closes every connection now: a reply that a servant's thread makes
 * after it has returned never reaches the client. A worker's reply to the only request its
 * connection has in dispatch is written by the worker itself ({@code DirectWrites}); the
 * connection's close is a task of its I/O thread, and the worker's write used to beat it to the
 * socket (seen in CI as {@code BufferRetryTest} getting its first server's reply after that
 * server's {@code shutdownNow()}). Here the server's I/O thread is held busy while the reply is
 * made, so that the close cannot have run by then.
 */
@Timeout(value = 60, unit = SECONDS)
final class ShutdownNowRepliesTest {
    /** A call the test holds in the servant until it lets go. */
    @Remote
    public interface Held {
        /** Returns {@code value} once let go. */
        int hold(int value);
    }

    private static final class Gate implements Held {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch returned = new CountDownLatch(1);
        final Semaphore release = new Semaphore(0);

        @Override
        public int hold(int value) {
            entered.countDown();
            release.acquireUninterruptibly();
            returned.countDown();
            return value;
        }
    }

    @Test
    void replyMadeAfterShutdownNow_neverReachesTheClient() throws Exception {
        Gate gate = new Gate();
        Server server = Hermod.server().host("127.0.0.1").ioThreads(1).add("held", Held.class, gate).start();
        CountDownLatch ioHeld = new CountDownLatch(1);
        try (Client client = Hermod.client().target("tcp://127.0.0.1:" + server.port())
                .callTimeout(Duration.ofSeconds(30)).build()) {
            Held held = client.proxy(Held.class, "held");
            CompletableFuture<Integer> call = CompletableFuture.supplyAsync(() -> held.hold(7));
            assertThat(gate.entered.await(20, SECONDS)).isTrue();

            CountDownLatch ioBusy = new CountDownLatch(1);
            for (EventExecutor io : ioThreads(server)) {
                io.execute(() -> {
                    ioBusy.countDown();
                    awaitQuietly(ioHeld);
                });
            }
            assertThat(ioBusy.await(20, SECONDS)).isTrue();
            server.shutdownNow(); // its close of the connection waits behind the task above
            gate.release.release();
            assertThat(gate.returned.await(20, SECONDS)).isTrue();
            try {
                Integer got = call.get(1, SECONDS); // a reply written by the worker arrives by then
                throw new AssertionError("the reply " + got + ", made after shutdownNow(), reached the client");
            } catch (TimeoutException | ExecutionException expected) {
                // not answered (yet): the reply waits for the I/O thread, which closes first
            }
            ioHeld.countDown();
            assertThatThrownBy(() -> call.get(20, SECONDS)).as("the call, once the connection has closed")
                    .isInstanceOf(ExecutionException.class);
        } finally {
            ioHeld.countDown();
            server.shutdownNow();
        }
    }

    /** The server's I/O threads, reached by reflection: the API knows nothing of them. */
    private static Iterable<EventExecutor> ioThreads(Server server) throws ReflectiveOperationException {
        return (EventLoopGroup) field(field(server, "transport"), "group");
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
