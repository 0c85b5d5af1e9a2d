package dev.hermod.internal.invocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.InvocationCanceledException;
import dev.hermod.Remote;
import dev.hermod.RpcException;
import dev.hermod.Server;
import dev.hermod.connection.Connection;
import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call that ends before its request is sent (canceled, expired, or its arguments cannot be
 * encoded) stops counting on its connection, however late in the send it ends, and says so:
 * otherwise the connection never drains, a graceful shutdown never ends, and a capped connection
 * has one slot less for good, or a call waiting for that slot is not told it is free.
 */
public final class CallEndedBeforeSentTest { // public: so is Unencodable, as a contract's types must be
    private static final Duration WITHIN = Duration.ofSeconds(5);

    /** An argument whose encoding runs {@link #whileEncoding}, in the calling thread, and then fails. */
    public record Unencodable(int n) {
        static volatile Runnable whileEncoding = () -> { };

        @Override
        public int n() {
            whileEncoding.run();
            throw new IllegalStateException("cannot be encoded");
        }
    }

    @Remote
    public interface Sink {
        void absorb(byte[] data);

        int count();

        void put(Unencodable u);
    }

    @CompanionOf(Sink.class)
    public interface SinkAsync {
        AsyncResult<Void> absorb(byte[] data);

        AsyncResult<Integer> count();

        AsyncResult<Void> put(Unencodable u);
    }

    static final class SinkImpl implements Sink {
        @Override
        public void absorb(byte[] data) {
        }

        @Override
        public int count() {
            return 0;
        }

        @Override
        public void put(Unencodable u) {
        }
    }

    /** Holds the client's I/O thread, once a test has it wait, until counted down. */
    private final CountDownLatch ioThreadFree = new CountDownLatch(1);
    private Server server;
    private Client client;

    @AfterEach
    void tearDown() {
        RpcConnection.beforeRegister = null;
        Unencodable.whileEncoding = () -> { };
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

    /**
     * A call whose arguments cannot be encoded fails after it registered: the connection must
     * then look again whether it has drained. The client is shut down while the arguments are
     * being encoded, when the connection still counts the call.
     */
    @Test
    void send_argumentsCannotBeEncoded_shutdownMeanwhile_clientTerminates() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("sink", Sink.class, new SinkImpl()).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        SinkAsync async = client.proxy(SinkAsync.class, "sink");
        assertThat(async.count().value()).isZero(); // connected

        Unencodable.whileEncoding = client::shutdown; // the connection then drains, and skips its close
        AsyncResult<Void> failed = async.put(new Unencodable(1));

        assertThat(failed.waitForCompleted(WITHIN)).isTrue();
        assertThat(failed.error().orElseThrow()).isInstanceOf(RpcException.class)
                .hasMessageContaining("cannot encode the arguments");
        // Before the fix: false, the connection open for good, waiting for a call long gone.
        assertThat(client.awaitTermination(WITHIN)).isTrue();
    }

    /**
     * A call whose arguments cannot be encoded fails after it took the connection's one slot:
     * the slot must be offered to a call waiting for it. That call comes while the arguments
     * are being encoded, and waits in line.
     */
    @Test
    void send_argumentsCannotBeEncoded_callWaitingForTheSlot_isSentAtOnce() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("sink", Sink.class, new SinkImpl()).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).connections(1).maxConnections(1)
                .maxOutstandingPerConnection(1).callTimeout(Duration.ofSeconds(30)).build();
        SinkAsync async = client.proxy(SinkAsync.class, "sink");
        assertThat(async.count().value()).isZero(); // connected

        CompletableFuture<AsyncResult<Integer>> waiting = new CompletableFuture<>();
        Unencodable.whileEncoding = () -> {
            Thread other = new Thread(() -> waiting.complete(async.count()), "waiting-caller");
            other.start(); // the async call returns once it waits in line for the slot
            waiting.orTimeout(WITHIN.toSeconds(), TimeUnit.SECONDS).join();
        };
        AsyncResult<Void> failed = async.put(new Unencodable(1));
        assertThat(failed.waitForCompleted(WITHIN)).isTrue();
        assertThat(failed.error().orElseThrow()).isInstanceOf(RpcException.class)
                .hasMessageContaining("cannot encode the arguments");

        AsyncResult<Integer> next = waiting.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
        // Before the fix: it waited out its 30 s timeout, nobody told the slot was free.
        assertThat(next.waitForCompleted(WITHIN)).isTrue();
        assertThat(next.value()).isZero();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
