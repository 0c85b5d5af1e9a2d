package dev.hermod.bench;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * The throughput scenario: asynchronous {@code Echo.echo} calls with at most {@code async-window}
 * (128) outstanding, for a fixed time, through Hermod ({@code EchoAsync} and a semaphore released
 * by each result's completion callback), against a pipelined plain-socket client with the same
 * window (a writer thread and a reader thread), and against the same pipelining through bare Netty
 * ({@link NettyEcho}). Every reply is checked against its request. The
 * rate is completed calls divided by the time from the first call to the last reply. Then the
 * adaptive pool against one connection, and the echo through a client with direct callbacks
 * ({@link #direct}).
 */
final class ThroughputBenchmark {
    /** Calls in flight in the pool comparison: enough to keep one connection busy. */
    static final int POOL_WINDOW = 1000;

    private ThroughputBenchmark() {}

    /**
     * What one timed run did: calls completed, wall time, what the process used meanwhile, and
     * what each side allocated (Hermod's runs; null for the socket's).
     */
    record Rate(long calls, long nanos, Usage used, Allocation allocated) {
        double perSecond() {
            return calls / (nanos / 1e9);
        }

        double cpuMicrosPerCall() {
            return used.cpuNanos() / 1e3 / calls;
        }

        double switchesPerCall() {
            return (double) used.switches() / calls;
        }
    }

    static void run(Options o, Report report) throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").directExecutor()
                        .add("echo", Echo.class, new LatencyBenchmark.EchoServant()).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port());
                PlainServer plain = new PlainServer("bench-pipeline", SocketEcho::serve);
                NettyEcho netty = new NettyEcho()) {
            EchoAsync echo = client.proxy(EchoAsync.class, "echo");
            report.line("throughput: %d-byte request and reply, window %d; warm-up rounds of %.1f s and %.1f s"
                    + " measured per side", o.payload(), o.asyncWindow(), o.warmup().toNanos() / 1e9,
                    o.duration().toNanos() / 1e9);
            if (!o.warmup().isZero()) {
                long max = o.warmupMax().toNanos();
                WarmUp.run(report, "throughput: hermod", "calls/s", max,
                        () -> hermod(echo, o.payload(), o.asyncWindow(), o.warmup()).perSecond());
                WarmUp.run(report, "throughput: socket", "calls/s", max,
                        () -> pipelined(plain, o.payload(), o.asyncWindow(), o.warmup()).perSecond());
                WarmUp.run(report, "throughput: netty", "calls/s", max,
                        () -> netty.pipelined(o.payload(), o.asyncWindow(), o.warmup()).perSecond());
            }
            Rate h = hermod(echo, o.payload(), o.asyncWindow(), o.duration());
            report.line("throughput: hermod %d calls in %.3f s, %.2f CPU us/call, %.2f context switches/call",
                    h.calls(), h.nanos() / 1e9, h.cpuMicrosPerCall(), h.switchesPerCall());
            Rate s = pipelined(plain, o.payload(), o.asyncWindow(), o.duration());
            report.line("throughput: socket %d calls in %.3f s, %.2f CPU us/call, %.2f context switches/call",
                    s.calls(), s.nanos() / 1e9, s.cpuMicrosPerCall(), s.switchesPerCall());
            Rate n = netty.pipelined(o.payload(), o.asyncWindow(), o.duration());
            report.line("throughput: netty %d calls in %.3f s, %.2f CPU us/call, %.2f context switches/call",
                    n.calls(), n.nanos() / 1e9, n.cpuMicrosPerCall(), n.switchesPerCall());
            if (plain.failure() != null) {
                throw new BenchmarkFailure("the plain-socket server failed", plain.failure());
            }
            report.result("throughput.hermod.calls", h.perSecond(), "calls/s");
            report.result("throughput.socket.calls", s.perSecond(), "calls/s");
            report.result("throughput.netty.calls", n.perSecond(), "calls/s");
            report.result("throughput.ratio", h.perSecond() / s.perSecond(), "ratio");
            report.result("throughput.netty.ratio", h.perSecond() / n.perSecond(), "ratio");
            if (h.used().cpuNanos() >= 0) {
                report.result("throughput.hermod.cpu", h.cpuMicrosPerCall(), "cpu-us/call");
                report.result("throughput.socket.cpu", s.cpuMicrosPerCall(), "cpu-us/call");
                report.result("throughput.netty.cpu", n.cpuMicrosPerCall(), "cpu-us/call");
            }
            if (h.used().switches() >= 0) {
                report.result("throughput.hermod.switches", h.switchesPerCall(), "switches/call");
                report.result("throughput.socket.switches", s.switchesPerCall(), "switches/call");
                report.result("throughput.netty.switches", n.switchesPerCall(), "switches/call");
            }
            if (h.allocated().client() >= 0) {
                report.result("throughput.hermod.alloc.client", (double) h.allocated().client() / h.calls(), "B/call");
                report.result("throughput.hermod.alloc.server", (double) h.allocated().server() / h.calls(), "B/call");
            }
            pools(server, o, report);
            direct(server, o, report, s, n, netty);
        }
    }

    /**
     * The same echo through a client built with {@code directCallbacks()}, whose results complete
     * on the I/O thread that reads their reply: once as above ({@code throughput.direct.*}: this
     * thread makes the calls, the callbacks return permits, the shape of the Netty baseline), and
     * once chained ({@code throughput.chained.*}: each of the window's calls makes the next from
     * its callback, so the client's I/O thread is the only client thread at work). Ratios are to
     * this run's socket rate and to the Netty baseline of the same shape: the pipelined one, and
     * {@link NettyEcho#chained}.
     */
    private static void direct(Server server, Options o, Report report, Rate socket, Rate netty, NettyEcho bare)
            throws Exception {
        try (Client client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).directCallbacks().build()) {
            EchoAsync echo = client.proxy(EchoAsync.class, "echo");
            if (!o.warmup().isZero()) {
                long max = o.warmupMax().toNanos();
                WarmUp.run(report, "throughput: direct callbacks", "calls/s", max,
                        () -> hermod(echo, o.payload(), o.asyncWindow(), o.warmup()).perSecond());
                WarmUp.run(report, "throughput: chained", "calls/s", max,
                        () -> chained(echo, o.payload(), o.asyncWindow(), o.warmup()).perSecond());
                WarmUp.run(report, "throughput: netty chained", "calls/s", max,
                        () -> bare.chained(o.payload(), o.asyncWindow(), o.warmup()).perSecond());
            }
            Rate d = hermod(echo, o.payload(), o.asyncWindow(), o.duration());
            report.line("throughput: direct callbacks %d calls in %.3f s, %.2f CPU us/call, %.2f context switches/call",
                    d.calls(), d.nanos() / 1e9, d.cpuMicrosPerCall(), d.switchesPerCall());
            Rate c = chained(echo, o.payload(), o.asyncWindow(), o.duration());
            report.line("throughput: chained %d calls in %.3f s, %.2f CPU us/call, %.2f context switches/call",
                    c.calls(), c.nanos() / 1e9, c.cpuMicrosPerCall(), c.switchesPerCall());
            Rate nc = bare.chained(o.payload(), o.asyncWindow(), o.duration());
            report.line("throughput: netty chained %d calls in %.3f s, %.2f CPU us/call, %.2f context switches/call",
                    nc.calls(), nc.nanos() / 1e9, nc.cpuMicrosPerCall(), nc.switchesPerCall());
            report.result("throughput.netty-chained.calls", nc.perSecond(), "calls/s");
            if (nc.used().cpuNanos() >= 0) {
                report.result("throughput.netty-chained.cpu", nc.cpuMicrosPerCall(), "cpu-us/call");
            }
            // Each Hermod run against the Netty baseline of its own shape.
            reportRun(report, "throughput.direct", d, socket, netty);
            reportRun(report, "throughput.chained", c, socket, nc);
        }
    }

    /** {@code run}'s results under {@code name}: its rate, its ratios, its CPU and allocation per call. */
    private static void reportRun(Report report, String name, Rate run, Rate socket, Rate netty) {
        report.result(name + ".calls", run.perSecond(), "calls/s");
        report.result(name + ".ratio", run.perSecond() / socket.perSecond(), "ratio");
        report.result(name + ".netty.ratio", run.perSecond() / netty.perSecond(), "ratio");
        if (run.used().cpuNanos() >= 0) {
            report.result(name + ".cpu", run.cpuMicrosPerCall(), "cpu-us/call");
        }
        if (run.allocated().client() >= 0) {
            report.result(name + ".alloc.client", (double) run.allocated().client() / run.calls(), "B/call");
            report.result(name + ".alloc.server", (double) run.allocated().server() / run.calls(), "B/call");
        }
    }

    /**
     * {@code window} chains of calls for {@code duration}: each call's callback checks its reply
     * and makes the chain's next call, until the time is up. On a client with direct callbacks the
     * next call is made, and written, by the I/O thread that read the reply.
     */
    static Rate chained(EchoAsync echo, int payload, int window, Duration duration) throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(window);
        AtomicLong completed = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>();
        Usage before = Usage.now();
        Allocation allocatedBefore = Allocation.now();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (int i = 0; i < window; i++) {
            new Chain(echo, payload, i, window, end, ended, completed, error).next();
        }
        if (!ended.await(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
            throw new BenchmarkFailure("chained throughput: no reply within 30 s");
        }
        long nanos = System.nanoTime() - start;
        Usage used = Usage.now().since(before);
        Allocation allocated = Allocation.now().since(allocatedBefore);
        if (error.get() != null) {
            throw new BenchmarkFailure("chained throughput: " + error.get());
        }
        return new Rate(completed.get(), nanos, used, allocated);
    }

    /** One chain of {@link #chained}: its request, rewritten for each call once the last is checked. */
    private static final class Chain implements BiConsumer<byte[], Throwable> {
        private final EchoAsync echo;
        private final byte[] request;
        private final int window;
        private final long end;
        private final CountDownLatch ended;
        private final AtomicLong completed;
        private final AtomicReference<String> error;
        /** This chain's calls are numbered {@code first}, {@code first + window}, ... */
        private long seq;

        Chain(EchoAsync echo, int payload, long first, int window, long end, CountDownLatch ended,
                AtomicLong completed, AtomicReference<String> error) {
            this.echo = echo;
            this.request = ChunkSink.patternChunk(payload);
            this.seq = first;
            this.window = window;
            this.end = end;
            this.ended = ended;
            this.completed = completed;
            this.error = error;
        }

        void next() {
            Payloads.stamp(request, seq);
            echo.echo(request).onComplete(this);
        }

        @Override
        public void accept(byte[] reply, Throwable failure) {
            if (checked(reply, failure, request, seq, completed, error)
                    && System.nanoTime() - end < 0 && error.get() == null) {
                seq += window;
                next();
            } else {
                ended.countDown();
            }
        }
    }

    /**
     * The adaptive pool: {@link #POOL_WINDOW} calls in flight through a client held to one
     * connection, and through a client with the default pool, which opens more when its
     * connections are busy.
     */
    private static void pools(Server server, Options o, Report report) throws Exception {
        String target = "tcp://127.0.0.1:" + server.port();
        try (Client single = Hermod.client().target(target).maxConnections(1).build();
                Client adaptive = Hermod.client(target)) {
            EchoAsync one = single.proxy(EchoAsync.class, "echo");
            EchoAsync pooled = adaptive.proxy(EchoAsync.class, "echo");
            if (!o.warmup().isZero()) {
                long max = o.warmupMax().toNanos();
                WarmUp.run(report, "throughput: one connection", "calls/s", max,
                        () -> hermod(one, o.payload(), POOL_WINDOW, o.warmup()).perSecond());
                WarmUp.run(report, "throughput: adaptive pool", "calls/s", max,
                        () -> hermod(pooled, o.payload(), POOL_WINDOW, o.warmup()).perSecond());
            }
            Rate fixed = hermod(one, o.payload(), POOL_WINDOW, o.duration());
            Rate grown = hermod(pooled, o.payload(), POOL_WINDOW, o.duration());
            int connections = adaptive.connections().size();
            report.line("throughput: %d in flight, one connection %.0f calls/s, adaptive pool (%d connections) %.0f calls/s",
                    POOL_WINDOW, fixed.perSecond(), connections, grown.perSecond());
            report.result("throughput.pool.single.calls", fixed.perSecond(), "calls/s");
            report.result("throughput.pool.adaptive.calls", grown.perSecond(), "calls/s");
            report.result("throughput.pool.adaptive.connections", connections, "connections");
            report.result("throughput.pool.ratio", grown.perSecond() / fixed.perSecond(), "ratio");
        }
    }

    /**
     * Hermod's run: {@code window} calls in flight, each request a {@link Slot}'s own payload, so
     * that the loop allocates nothing per call of its own and the allocation counted is the
     * client's (a slot and its payload are reused once its reply is checked).
     */
    static Rate hermod(EchoAsync echo, int payload, int window, Duration duration) throws InterruptedException {
        Semaphore permits = new Semaphore(window);
        AtomicLong completed = new AtomicLong();
        AtomicReference<String> error = new AtomicReference<>();
        Slot[] slots = new Slot[window];
        for (int i = 0; i < window; i++) {
            slots[i] = new Slot(payload, permits, completed, error);
        }
        Usage before = Usage.now();
        Allocation allocatedBefore = Allocation.now();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long issued = 0;
        int next = 0;
        while (System.nanoTime() - end < 0 && error.get() == null) {
            acquire(permits, 1, "hermod");
            while (slots[next].busy) { // a permit means a free slot: usually this one
                next = next + 1 == window ? 0 : next + 1;
            }
            Slot slot = slots[next];
            next = next + 1 == window ? 0 : next + 1;
            slot.take(issued++);
            echo.echo(slot.request).onComplete(slot);
        }
        acquire(permits, window, "hermod"); // every outstanding call has completed
        long nanos = System.nanoTime() - start;
        Usage used = Usage.now().since(before);
        Allocation allocated = Allocation.now().since(allocatedBefore);
        if (error.get() != null) {
            throw new BenchmarkFailure("hermod throughput: " + error.get());
        }
        if (completed.get() != issued) {
            throw new BenchmarkFailure("hermod throughput: " + completed.get() + " of " + issued + " calls completed");
        }
        return new Rate(issued, nanos, used, allocated);
    }

    /**
     * One call in flight of {@link #hermod}: its request, and the callback that checks the reply
     * against it, then frees the slot and returns its permit. Taken by the calling thread only.
     */
    private static final class Slot implements BiConsumer<byte[], Throwable> {
        final byte[] request;
        private final Semaphore permits;
        private final AtomicLong completed;
        private final AtomicReference<String> error;
        private long seq;
        /** Between {@link #take} and the reply's check; a free slot's request may be rewritten. */
        volatile boolean busy;

        Slot(int payload, Semaphore permits, AtomicLong completed, AtomicReference<String> error) {
            this.request = ChunkSink.patternChunk(payload);
            this.permits = permits;
            this.completed = completed;
            this.error = error;
        }

        void take(long seq) {
            this.seq = seq;
            Payloads.stamp(request, seq);
            busy = true;
        }

        @Override
        public void accept(byte[] reply, Throwable failure) {
            checked(reply, failure, request, seq, completed, error);
            busy = false;
            permits.release();
        }
    }

    /**
     * Checks a call's outcome: counts it as completed if its reply equals its request, otherwise
     * keeps the first error. Returns whether it was counted.
     */
    private static boolean checked(byte[] reply, Throwable failure, byte[] request, long seq, AtomicLong completed,
            AtomicReference<String> error) {
        if (failure != null) {
            error.compareAndSet(null, "call " + seq + " failed: " + failure);
            return false;
        }
        if (!Arrays.equals(reply, request)) {
            error.compareAndSet(null, "the reply to call " + seq + " does not match its request");
            return false;
        }
        completed.incrementAndGet();
        return true;
    }

    /**
     * The baseline: this thread writes frames while it holds window permits, flushing whenever it
     * has to wait for one; a reader thread checks each reply (in order) and returns its permit.
     */
    static Rate pipelined(PlainServer plain, int payload, int window, Duration duration)
            throws IOException, InterruptedException {
        Semaphore permits = new Semaphore(window);
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        Socket socket = plain.connect();
        try {
            socket.setSoTimeout(30_000);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            Thread reader = new Thread(() -> {
                byte[] reply = new byte[payload];
                try {
                    for (long seq = 0; ; seq++) {
                        int length = in.readInt();
                        if (length != payload) {
                            throw new IOException("reply " + seq + " has " + length + " bytes, expected " + payload);
                        }
                        in.readFully(reply);
                        if (!Payloads.matches(reply, payload, seq)) {
                            throw new IOException("reply " + seq + " does not match its request");
                        }
                        received.incrementAndGet();
                        permits.release();
                    }
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        readerFailure.set(e);
                        permits.release(window);
                    }
                }
            }, "bench-pipeline-reader");
            reader.setDaemon(true);
            reader.start();
            byte[] request = Payloads.of(payload, 0);
            Usage before = Usage.now();
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long sent = 0;
            while (System.nanoTime() - end < 0) {
                if (!permits.tryAcquire()) {
                    out.flush();
                    acquire(permits, 1, "socket");
                }
                checkReader(readerFailure);
                Payloads.stamp(request, sent++);
                out.writeInt(payload);
                out.write(request);
            }
            out.flush();
            acquire(permits, window, "socket");
            long nanos = System.nanoTime() - start;
            Usage used = Usage.now().since(before);
            checkReader(readerFailure);
            socket.close(); // ends the reader, which waits for a next reply
            PlainServer.join(reader);
            if (received.get() != sent) {
                throw new BenchmarkFailure("socket throughput: " + received.get() + " of " + sent + " replies received");
            }
            return new Rate(sent, nanos, used, null);
        } finally {
            PlainServer.closeQuietly(socket);
        }
    }

    private static void checkReader(AtomicReference<Throwable> failure) {
        Throwable t = failure.get();
        if (t != null) {
            throw new BenchmarkFailure("socket throughput: " + t, t);
        }
    }

    private static void acquire(Semaphore permits, int n, String side) throws InterruptedException {
        if (!permits.tryAcquire(n, 30, TimeUnit.SECONDS)) {
            throw new BenchmarkFailure(side + " throughput: no reply within 30 s");
        }
    }
}
