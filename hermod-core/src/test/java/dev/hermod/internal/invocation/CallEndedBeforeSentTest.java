package dev.hermod.internal.invocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.InvocationCanceledException;
import dev.hermod.Remote;
import dev.hermod.Server;
import dev.hermod.connection.Connection;
import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call that ends (canceled, expired) before its request is sent stops counting on its
 * connection, however late in the send it ends: otherwise the connection never drains, a
 * graceful shutdown never ends, and a capped connection has one slot less for good.
 */
final class CallEndedBeforeSentTest {
    private static final Duration WITHIN = Duration.ofSeconds(5);

    @Remote
    public interface Sink {
        void absorb(byte[] data);

        int count();
    }

    @CompanionOf(Sink.class)
    public interface SinkAsync {
        AsyncResult<Void> absorb(byte[] data);

        AsyncResult<Integer> count();
    }

    static final class SinkImpl implements Sink {
        @Override
        public void absorb(byte[] data) {
        }

        @Override
        public int count() {
            return 0;
        }
    }

    /** Holds the client's I/O thread, once a test has it wait, until counted down. */
    private final CountDownLatch ioThreadFree = new CountDownLatch(1);
    private Server server;
    private Client client;

    @AfterEach
    void tearDown() {
        RpcConnection.beforeRegister = null;
        ioThreadFree.countDown();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * The call is canceled after the send found it not done and before it registered: the cancel
     * finds nothing to forget, and the send, whose request the backlog holds, withdraws it there.
     * The backlog holds requests for real: the client's I/O thread is held, so the requests
     * handed over wait for it, counted, and past the channel's high-water mark the channel is
     * unwritable, as behind a slow network, until the test lets the thread go.
     */
    @Test
    void send_callCanceledBeforeItRegisters_requestHeldBack_connectionDrainsAndShutdownEnds() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("sink", Sink.class, new SinkImpl()).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        SinkAsync async = client.proxy(SinkAsync.class, "sink");
        AtomicReference<RpcConnection> sentOn = new AtomicReference<>();
        RpcConnection.beforeRegister = call -> sentOn.set(call.connection);
        assertThat(async.count().value()).isZero(); // connected
        Connection connection = client.connections().get(0);
        CountDownLatch ioThreadHeld = new CountDownLatch(1);
        sentOn.get().link().eventLoop().execute(() -> {
            ioThreadHeld.countDown();
            awaitQuietly(ioThreadFree);
        });
        assertThat(ioThreadHeld.await(WITHIN.toSeconds(), TimeUnit.SECONDS)).isTrue();

        List<AsyncResult<Void>> flood = new ArrayList<>();
        byte[] chunk = new byte[512 * 1024];
        for (int i = 0; i < 8 && connection.queuedBytes() == 0; i++) {
            flood.add(async.absorb(chunk));
        }
        assertThat(connection.queuedBytes()).as("the backlog holds requests").isPositive();

        AtomicBoolean canceled = new AtomicBoolean();
        RpcConnection.beforeRegister = call -> {
            if (call.operation().name().equals("count") && canceled.compareAndSet(false, true)) {
                call.cancel(" by the test"); // as the timer or another thread may, meanwhile
            }
        };
        long held = connection.queuedBytes();
        AsyncResult<Integer> ended = async.count();
        assertThat(canceled).isTrue();
        assertThat(ended.waitForCompleted(WITHIN)).isTrue();
        assertThat(ended.error()).containsInstanceOf(InvocationCanceledException.class);
        assertThat(connection.queuedBytes()).as("its request held back, then withdrawn").isEqualTo(held);

        ioThreadFree.countDown();
        for (AsyncResult<Void> r : flood) {
            assertThat(r.waitForCompleted(WITHIN)).isTrue();
            assertThat(r.error()).isEmpty();
        }
        assertThat(connection.isOpen()).isTrue();
        // Before the fix: the canceled call stayed registered, 1 outstanding for good.
        await().atMost(WITHIN).until(connection::outstandingCalls, n -> n == 0);
        client.shutdown();
        assertThat(client.awaitTermination(WITHIN)).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
