package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.connection.Connection;
import dev.hermod.flow.Window;
import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client flooding a slow server: bounded queues, nothing lost, sent callbacks in order. */
final class FlowControlTest {

    @Remote
    public interface Sink {
        /** Blocks until the test opens the gate. */
        void absorb(int sequence, byte[] data);

        /** Takes a few milliseconds. */
        void slow(int sequence);

        /** Takes 20 ms: a slow server that still makes progress. */
        void chew(int sequence, byte[] data);

        int received();
    }

    @CompanionOf(Sink.class)
    public interface SinkAsync {
        AsyncResult<Void> absorb(int sequence, byte[] data);

        AsyncResult<Void> slow(int sequence);

        AsyncResult<Void> chew(int sequence, byte[] data);
    }

    static final class SinkImpl implements Sink {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        /** How many times chew ran, by sequence. */
        final Map<Integer, Integer> chewed = new ConcurrentHashMap<>();

        @Override
        public void absorb(int sequence, byte[] data) {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            received.incrementAndGet();
        }

        @Override
        public void slow(int sequence) {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            received.incrementAndGet();
        }

        @Override
        public void chew(int sequence, byte[] data) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            chewed.merge(sequence, 1, Integer::sum);
        }

        @Override
        public int received() {
            return received.get();
        }
    }

    private final SinkImpl impl = new SinkImpl();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private Server server;
    private Client client;

    @AfterEach
    void stop() {
        impl.gate.countDown();
        callers.shutdownNow();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A server that answers the preamble and then never reads: all a client sends is held back. */
    private static java.net.ServerSocket blackHole(List<java.net.Socket> accepted) throws Exception {
        java.net.ServerSocket listener = new java.net.ServerSocket();
        listener.setReceiveBufferSize(16 * 1024);
        listener.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    java.net.Socket s = listener.accept();
                    accepted.add(s);
                    s.getOutputStream().write(new byte[] {'H', 'R', 'M', 'D', 0, 1, 0, 0});
                }
            } catch (java.io.IOException closed) {
                // the test is over
            }
        }, "black-hole");
        t.setDaemon(true);
        t.start();
        return listener;
    }

    @Test
    void asyncOnewayFlood_eachQueuedCallCountsItsHeap_refusedEarly() throws Exception {
        List<java.net.Socket> accepted = new CopyOnWriteArrayList<>();
        try (java.net.ServerSocket hole = blackHole(accepted)) {
            long limit = 1024 * 1024;
            client = Hermod.client().target("tcp://127.0.0.1:" + hole.getLocalPort()).maxQueuedBytes(limit).maxConnections(1).build();
            SinkAsync sink = Hermod.oneway(client.proxy(SinkAsync.class, "sink"));
            sink.slow(-1).waitForSent(); // connected: what follows is held back, not waiting to connect
            List<AsyncResult<Void>> results = new ArrayList<>();
            long heldBack = 0;
            // Until the kernel's socket buffers are full, the transport may take calls that were
            // held back when one was refused: flood again until the held calls stay.
            for (int round = 0; round < 100 && heldBack < limit / (1024 + 64); round++) {
                RpcException refused = null;
                for (int i = 0; i < 2_000_000 && refused == null; i++) {
                    AsyncResult<Void> r = sink.slow(i);
                    if (r.isFailed()) {
                        refused = (RpcException) r.error().orElseThrow();
                    } else {
                        results.add(r);
                    }
                }
                assertThat(refused).isNotNull();
                assertThat(refused.status()).isEqualTo(Status.RESOURCE_EXHAUSTED);
                assertThat(refused.isUnprocessed()).isTrue();
                assertThat(refused).hasMessageContaining("counting 1024 per call");
                results.removeIf(AsyncResult::isSent);
                heldBack = results.size();
            }
            // Held back, not yet handed to the transport: a request of some 30 bytes counts about
            // 1 KiB, so the limit holds about 1,000 of them, not 30,000.
            assertThat(heldBack).isBetween(limit / (1024 + 64), limit / 1024);
            for (java.net.Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void asyncFloodWhileTheConnectionOpens_callsWaitingForItCount_refusedEarly() throws Exception {
        // A server that accepts and never answers the handshake: every call waits for the connection.
        try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            long limit = 1024 * 1024;
            client = Hermod.client().target("tcp://127.0.0.1:" + mute.getLocalPort()).maxQueuedBytes(limit).maxConnections(1).build();
            SinkAsync sink = Hermod.oneway(client.proxy(SinkAsync.class, "sink"));
            int waiting = 0;
            RpcException refused = null;
            for (int i = 0; i < 100_000 && refused == null; i++) {
                AsyncResult<Void> r = sink.slow(i);
                if (r.isFailed()) {
                    refused = (RpcException) r.error().orElseThrow();
                } else {
                    waiting++;
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.status()).isEqualTo(Status.RESOURCE_EXHAUSTED);
            assertThat(refused.isUnprocessed()).isTrue();
            assertThat(refused).hasMessageContaining("calls waiting for a connection");
            assertThat(waiting).isBetween((int) (limit / 2048), (int) (limit / 1024));
        }
    }

    @Test
    void syncCallHeldBackPastItsDeadline_timeoutSaysWhyItWasNotSent() throws Exception {
        List<java.net.Socket> accepted = new CopyOnWriteArrayList<>();
        try (java.net.ServerSocket hole = blackHole(accepted)) {
            client = Hermod.client().target("tcp://127.0.0.1:" + hole.getLocalPort()).maxQueuedBytes(64 * 1024)
                    .build();
            Sink sink = Hermod.oneway(client.proxy(Sink.class, "sink", CallOptions.defaults()
                    .withTimeout(Duration.ofMillis(500))));
            byte[] chunk = new byte[64 * 1024];
            InvocationTimeoutException timeout = null;
            for (int i = 0; i < 1_000 && timeout == null; i++) {
                try {
                    sink.absorb(i, chunk); // each returns once written; the black hole takes a few
                } catch (InvocationTimeoutException e) {
                    timeout = e;
                }
            }
            assertThat(timeout).isNotNull();
            assertThat(timeout.isUnprocessed()).isTrue();
            assertThat(timeout).hasMessageContaining("before it could be sent")
                    .hasMessageContaining("the server reads more slowly than this client sends");
            for (java.net.Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void floodingClient_slowServer_queueBoundedAndNothingAcceptedIsLost() throws Exception {
        server = Hermod.server().host("127.0.0.1").maxInFlightPerConnection(4)
                .add("sink", Sink.class, impl).start();
        long limit = 1024 * 1024;
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).maxQueuedBytes(limit).maxConnections(1).build();
        SinkAsync sink = client.proxy(SinkAsync.class, "sink");
        assertThat(client.proxy(Sink.class, "sink").received()).isZero(); // the connection is up
        byte[] chunk = new byte[32 * 1024];

        List<AsyncResult<Void>> accepted = new ArrayList<>();
        List<Integer> sentOrder = new CopyOnWriteArrayList<>();
        AtomicInteger sentCount = new AtomicInteger();
        RpcException refused = null;
        long maxQueued = 0;
        for (int i = 0; i < 5_000 && refused == null; i++) {
            int sequence = i;
            AsyncResult<Void> r = sink.absorb(i, chunk);
            if (r.isDone() && r.error().orElse(null) instanceof RpcException e
                    && e.status() == Status.RESOURCE_EXHAUSTED) {
                refused = e;
                break;
            }
            // A request written within its call runs its sent callback right there (as in Ice);
            // the order that matters is that of the requests that had to wait.
            r.onSent(sync -> {
                if (!sync) {
                    sentOrder.add(sequence);
                }
                sentCount.incrementAndGet();
            });
            accepted.add(r);
            maxQueued = Math.max(maxQueued, client.connections().get(0).queuedBytes());
        }
        assertThat(refused).as("the flood meets the limit").isNotNull();
        assertThat(refused.isUnprocessed()).isTrue();
        assertThat(refused).hasMessageContaining("limit " + limit);
        assertThat(maxQueued).isLessThanOrEqualTo(limit);

        impl.gate.countDown(); // the server catches up
        for (AsyncResult<Void> r : accepted) {
            assertThat(r.waitForCompleted(Duration.ofSeconds(60))).isTrue();
            assertThat(r.error()).isEmpty();
        }
        assertThat(impl.received.get()).isEqualTo(accepted.size());
        await().atMost(Duration.ofSeconds(10)).until(() -> sentCount.get() == accepted.size());
        assertThat(sentOrder).as("some requests waited for the network").isNotEmpty();
        assertThat(sentOrder).as("sent callbacks in the order the requests were written").isSorted();
        assertThat(client.connections().get(0).queuedBytes()).isZero();
    }

    /**
     * The scenario with a server that is slow but never stalls: each call sleeps 20 ms and
     * the server dispatches at most 4 at a time, so it drains about 13 MiB/s of 64 KiB requests
     * while the client tries to push far more, as fast as it can encode them.
     */
    @Test
    void floodingClient_sleepingServer_queueAndMemoryBounded_nothingAcceptedLost_syncCallWaits()
            throws Exception {
        server = Hermod.server().host("127.0.0.1").maxInFlightPerConnection(4)
                .add("sink", Sink.class, impl).start();
        long limit = 1024 * 1024;
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).maxQueuedBytes(limit).maxConnections(1)
                .callTimeout(Duration.ofMinutes(2)).build();
        Sink syncSink = client.proxy(Sink.class, "sink");
        SinkAsync sink = client.proxy(SinkAsync.class, "sink");
        assertThat(syncSink.received()).isZero(); // the connection is up
        Connection connection = client.connections().get(0);
        byte[] chunk = new byte[64 * 1024];
        int attempts = 1_500; // about 94 MiB of requests
        long directBefore = usedDirectMemory();

        Map<Integer, AsyncResult<Void>> accepted = new LinkedHashMap<>();
        Map<Integer, Boolean> sentAtReturn = new HashMap<>();
        Map<Integer, Boolean> sentSynchronouslyAtReturn = new HashMap<>();
        int lastAccepted = -1;
        int waitedForTheNetwork = -1; // the call accepted just before the first refusal
        int refusals = 0;
        boolean justRefused = false;
        long maxQueued = 0;
        long maxDirect = directBefore;
        // Flood, ignoring refusals, and go on past `attempts` until a call is refused, so that the
        // backlog is at its limit when the synchronous call below is made.
        for (int i = 0; (i < attempts || !justRefused) && i < 100 * attempts; i++) {
            AsyncResult<Void> r = sink.chew(i, chunk);
            justRefused = r.isDone() && r.error().orElse(null) instanceof RpcException e
                    && e.status() == Status.RESOURCE_EXHAUSTED;
            if (justRefused) {
                RpcException e = (RpcException) r.error().orElseThrow();
                assertThat(e.isUnprocessed()).isTrue();
                assertThat(e).hasMessageContaining("limit " + limit);
                if (refusals++ == 0) {
                    waitedForTheNetwork = lastAccepted;
                }
            } else {
                accepted.put(i, r);
                sentAtReturn.put(i, r.isSent());
                sentSynchronouslyAtReturn.put(i, r.sentSynchronously());
                lastAccepted = i;
            }
            maxQueued = Math.max(maxQueued, connection.queuedBytes());
            maxDirect = Math.max(maxDirect, usedDirectMemory());
        }
        assertThat(justRefused).as("the flood meets the limit").isTrue();

        // (e) A synchronous call at the limit is not refused: it waits in line and completes.
        CompletableFuture<Void> syncCall = CompletableFuture.runAsync(() -> syncSink.chew(-1, chunk), callers);
        long[] maxDirectWhileDraining = {0};
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(5)).until(() -> {
            maxDirectWhileDraining[0] = Math.max(maxDirectWhileDraining[0], usedDirectMemory());
            return syncCall.isDone();
        });
        syncCall.get(10, TimeUnit.SECONDS); // throws if the call failed, RESOURCE_EXHAUSTED included
        assertThat(accepted.values()).as("the synchronous call waited behind every accepted request")
                .allMatch(AsyncResult::isSent);

        // (a) The backlog never passed the limit.
        assertThat(maxQueued).as("queued bytes").isPositive().isLessThanOrEqualTo(limit);

        // (b) Memory stays bounded. Without flow control the client holds the whole flood in
        // pooled direct buffers: attempts x 64 KiB, about 94 MiB, less the few MiB the sockets take
        // (with maxQueuedBytes at 1 GiB this measured over 100 MiB). With it, the pool holds the
        // 1 MiB backlog, the channel's outbound buffer (up to its 1 MiB high-water mark) and the
        // server's reads (4 requests in dispatch and one being decoded), in 4 MiB chunks spread
        // over the arenas of the few threads involved: this measured 4 MiB. 32 MiB leaves room
        // for a busy machine and still fails well before the flood would be held.
        long bound = 32L * 1024 * 1024;
        assertThat(maxDirect - directBefore).as("pooled direct memory during the flood").isLessThan(bound);
        assertThat(maxDirectWhileDraining[0] - directBefore).as("pooled direct memory while draining")
                .isLessThan(bound);

        // (c) A request that had to wait for the network was not sent when its call returned.
        assertThat(waitedForTheNetwork).as("a call was accepted before the first refusal").isNotNegative();
        assertThat(sentAtReturn.get(waitedForTheNetwork)).isFalse();
        assertThat(sentSynchronouslyAtReturn.get(waitedForTheNetwork)).isFalse();
        AsyncResult<Void> waited = accepted.get(waitedForTheNetwork);
        assertThat(waited.isSent()).isTrue();
        assertThat(waited.sentSynchronously()).isFalse();
        accepted.forEach((sequence, r) -> {
            if (!sentAtReturn.get(sequence)) {
                assertThat(sentSynchronouslyAtReturn.get(sequence)).as("call %d", sequence).isFalse();
                assertThat(r.sentSynchronously()).as("call %d", sequence).isFalse();
            }
        });

        // (d) Nothing accepted is lost, nothing runs twice.
        for (Map.Entry<Integer, AsyncResult<Void>> e : accepted.entrySet()) {
            assertThat(e.getValue().waitForCompleted(Duration.ofSeconds(60))).as("call %d", e.getKey()).isTrue();
            assertThat(e.getValue().error()).as("call %d", e.getKey()).isEmpty();
        }
        Set<Integer> expected = new HashSet<>(accepted.keySet());
        expected.add(-1);
        assertThat(impl.chewed.keySet()).isEqualTo(expected);
        assertThat(impl.chewed.values()).as("times each call ran").containsOnly(1);
        assertThat(connection.queuedBytes()).isZero();
    }

    private static long usedDirectMemory() {
        return ((io.netty.buffer.ByteBufAllocatorMetricProvider) io.netty.buffer.ByteBufAllocator.DEFAULT).metric()
                .usedDirectMemory();
    }

    @Test
    void readingPausedAndResumedManyTimes_neverStaysPaused() throws Exception {
        // With two requests in dispatch at most, reading pauses and resumes every request or two:
        // the I/O thread asks to pause while dispatch threads ask to resume. No heartbeats, so
        // a connection left paused by a pause applied after its resume would hang here.
        impl.gate.countDown();
        server = Hermod.server().host("127.0.0.1").maxInFlightPerConnection(2).heartbeatInterval(Duration.ZERO)
                .add("sink", Sink.class, impl).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).heartbeatInterval(Duration.ZERO)
                .build();
        Sink oneway = Hermod.oneway(client.proxy(Sink.class, "sink"));
        byte[] small = new byte[16];
        int calls = 100_000;
        for (int i = 0; i < calls; i++) {
            oneway.absorb(i, small);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> impl.received.get() == calls);
        assertThat(client.proxy(Sink.class, "sink").received()).isEqualTo(calls);
    }

    @Test
    void window_keepsAtMostNInFlight_andAllComplete() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("sink", Sink.class, impl).start();
        client = TestServers.client(server);
        SinkAsync sink = client.proxy(SinkAsync.class, "sink");
        Window window = Window.of(4);
        for (int i = 0; i < 200; i++) {
            int sequence = i;
            window.submit(() -> sink.slow(sequence));
            assertThat(window.inFlight()).isLessThanOrEqualTo(4);
        }
        window.awaitAll(Duration.ofSeconds(30));
        assertThat(impl.received.get()).isEqualTo(200);
        assertThat(impl.maxRunning.get()).isBetween(1, 4);
        assertThat(window.failure()).isEmpty();
    }

    @Test
    void window_failure_rethrownByAwaitAll() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl()).start();
        client = TestServers.client(server);
        EmployeesAsync employees = client.proxy(EmployeesAsync.class, "employees");
        Window window = Window.of(2);
        window.submit(() -> employees.getName(1));
        window.submit(() -> employees.getName(404));
        window.submit(() -> employees.getName(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> window.awaitAll(Duration.ofSeconds(10)))
                .isInstanceOf(NoSuchEmployee.class);
    }
}
