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

/**
 * The latency scenario: synchronous round trips of a small request and reply ({@code Echo.echo},
 * 32 bytes each way by default) through Hermod, against a plain-socket ping-pong of the same
 * payload behind a 4-byte length prefix, and the same ping-pong through bare Netty
 * ({@link NettyEcho}). Hermod is measured twice: with the server running the
 * operation on its I/O thread ({@code Server.Builder.directExecutor()}, the setting for servants
 * that never block, as the echo servant and the baseline's server do) and with the default
 * executor, which costs two more thread hand-offs per call; and a third time ({@code parked}), to
 * the first server, by a client whose waiting threads park at once instead of spinning first
 * ({@code Client.Builder.spinWait(Duration.ZERO)}); and a fourth time ({@code async}), to the
 * first server, through the asynchronous companion, {@code EchoAsync.echo(data).value()}: the
 * call returns at once, and the same thread then waits for its outcome, the way an
 * {@code AsyncResult} is most often read. All sides warm up first; the measured
 * calls are split into segments that alternate between the sides, and the samples of each side
 * are pooled. Each sample is one call timed with {@link System#nanoTime()}; percentiles are exact
 * (nearest rank over the sorted samples).
 *
 * <p>Then calls after a pause ({@code latency.idle.*}): {@value #IDLE_CALLS} calls of each of
 * {@code hermod}, the socket and Netty, each after {@value #IDLE_MILLIS} ms of quiet, taking turns,
 * as a client that calls now and then makes them. Every thread has slept meanwhile, and on a
 * shared virtual machine what a call touches has often gone cold: these show what a path pays for
 * that, beside the baselines.
 */
final class LatencyBenchmark {
    /** Calls per side after a pause. */
    static final int IDLE_CALLS = 100;
    /** The pause before each of those calls. */
    static final int IDLE_MILLIS = 10;

    private LatencyBenchmark() {}

    static void run(Options o, Report report) throws Exception {
        try (Server direct = Hermod.server().host("127.0.0.1").directExecutor()
                        .add("echo", Echo.class, new EchoServant()).start();
                Server pooled = Hermod.server().host("127.0.0.1").add("echo", Echo.class, new EchoServant()).start();
                Client directClient = Hermod.client("tcp://127.0.0.1:" + direct.port());
                Client pooledClient = Hermod.client("tcp://127.0.0.1:" + pooled.port());
                Client parkedClient = Hermod.client().target("tcp://127.0.0.1:" + direct.port())
                        .spinWait(Duration.ZERO).build();
                PlainServer plain = new PlainServer("bench-echo", SocketEcho::serve);
                Socket socket = plain.connect();
                NettyEcho netty = new NettyEcho()) {
            socket.setSoTimeout(30_000);
            Echo echo = directClient.proxy(Echo.class, "echo");
            Echo pooledEcho = pooledClient.proxy(Echo.class, "echo");
            Echo parkedEcho = parkedClient.proxy(Echo.class, "echo");
            EchoAsync asyncEcho = directClient.proxy(EchoAsync.class, "echo");
            PingPong pingPong = new PingPong(socket, o.payload());
            report.line("latency: %d-byte request and reply; warm-up rounds of %d calls and %d measured calls"
                    + " per side, in %d alternating segments; hermod: server runs operations on its I/O"
                    + " thread; pooled: on its default executor; parked: as hermod, with threads that park at once"
                    + " to wait; async: as hermod, an asynchronous call and then value()", o.payload(), o.warmupCalls(), o.calls(), o.runs());
            byte[] request = Payloads.of(o.payload(), 0);
            if (o.warmupCalls() > 0) {
                long[] scratch = new long[o.warmupCalls()];
                long max = o.warmupMax().toNanos();
                WarmUp.run(report, "latency: hermod", "calls/s", max,
                        () -> callsPerSecond(scratch, () -> hermod(echo, request, scratch, 0, scratch.length)));
                WarmUp.run(report, "latency: pooled", "calls/s", max,
                        () -> callsPerSecond(scratch, () -> hermod(pooledEcho, request, scratch, 0, scratch.length)));
                WarmUp.run(report, "latency: parked", "calls/s", max,
                        () -> callsPerSecond(scratch, () -> hermod(parkedEcho, request, scratch, 0, scratch.length)));
                WarmUp.run(report, "latency: async", "calls/s", max,
                        () -> callsPerSecond(scratch, () -> async(asyncEcho, request, scratch, 0, scratch.length)));
                WarmUp.run(report, "latency: socket", "calls/s", max,
                        () -> callsPerSecond(scratch, () -> pingPong.run(request, scratch, 0, scratch.length)));
                WarmUp.run(report, "latency: netty", "calls/s", max,
                        () -> callsPerSecond(scratch, () -> netty.pingPong(request, scratch, 0, scratch.length)));
            }
            long[] hermod = new long[o.calls()];
            long[] pooledSamples = new long[o.calls()];
            long[] parkedSamples = new long[o.calls()];
            long[] asyncSamples = new long[o.calls()];
            long[] socketSamples = new long[o.calls()];
            long[] nettySamples = new long[o.calls()];
            int segments = Math.min(o.runs(), o.calls());
            Usage hermodUsage = Usage.zero();
            Usage pooledUsage = Usage.zero();
            Usage parkedUsage = Usage.zero();
            Usage asyncUsage = Usage.zero();
            Usage socketUsage = Usage.zero();
            Usage nettyUsage = Usage.zero();
            for (int i = 0; i < segments; i++) {
                int from = (int) ((long) o.calls() * i / segments);
                int to = (int) ((long) o.calls() * (i + 1) / segments);
                Usage start = Usage.now();
                hermod(echo, request, hermod, from, to);
                Usage afterHermod = Usage.now();
                hermod(pooledEcho, request, pooledSamples, from, to);
                Usage afterPooled = Usage.now();
                hermod(parkedEcho, request, parkedSamples, from, to);
                Usage afterParked = Usage.now();
                async(asyncEcho, request, asyncSamples, from, to);
                Usage afterAsync = Usage.now();
                pingPong.run(request, socketSamples, from, to);
                Usage afterSocket = Usage.now();
                netty.pingPong(request, nettySamples, from, to);
                hermodUsage = hermodUsage.plus(afterHermod.since(start));
                pooledUsage = pooledUsage.plus(afterPooled.since(afterHermod));
                parkedUsage = parkedUsage.plus(afterParked.since(afterPooled));
                asyncUsage = asyncUsage.plus(afterAsync.since(afterParked));
                socketUsage = socketUsage.plus(afterSocket.since(afterAsync));
                nettyUsage = nettyUsage.plus(Usage.now().since(afterSocket));
            }
            if (plain.failure() != null) {
                throw new BenchmarkFailure("the plain-socket server failed", plain.failure());
            }
            Arrays.sort(hermod);
            Arrays.sort(pooledSamples);
            Arrays.sort(parkedSamples);
            Arrays.sort(asyncSamples);
            Arrays.sort(socketSamples);
            Arrays.sort(nettySamples);
            describe(report, "hermod", hermod);
            describe(report, "pooled", pooledSamples);
            describe(report, "parked", parkedSamples);
            describe(report, "async", asyncSamples);
            describe(report, "socket", socketSamples);
            describe(report, "netty", nettySamples);
            report.result("latency.hermod.p50", micros(percentile(hermod, 50)), "us");
            report.result("latency.hermod.p99", micros(percentile(hermod, 99)), "us");
            report.result("latency.pooled.p50", micros(percentile(pooledSamples, 50)), "us");
            report.result("latency.pooled.p99", micros(percentile(pooledSamples, 99)), "us");
            report.result("latency.parked.p50", micros(percentile(parkedSamples, 50)), "us");
            report.result("latency.parked.p99", micros(percentile(parkedSamples, 99)), "us");
            report.result("latency.async.p50", micros(percentile(asyncSamples, 50)), "us");
            report.result("latency.async.p99", micros(percentile(asyncSamples, 99)), "us");
            report.result("latency.socket.p50", micros(percentile(socketSamples, 50)), "us");
            report.result("latency.socket.p99", micros(percentile(socketSamples, 99)), "us");
            report.result("latency.netty.p50", micros(percentile(nettySamples, 50)), "us");
            report.result("latency.netty.p99", micros(percentile(nettySamples, 99)), "us");
            report.result("latency.p50.ratio", ratio(hermod, socketSamples, 50), "ratio");
            report.result("latency.p99.ratio", ratio(hermod, socketSamples, 99), "ratio");
            report.result("latency.pooled.p50.ratio", ratio(pooledSamples, socketSamples, 50), "ratio");
            report.result("latency.parked.p50.ratio", ratio(parkedSamples, socketSamples, 50), "ratio");
            report.result("latency.async.p50.ratio", ratio(asyncSamples, socketSamples, 50), "ratio");
            report.result("latency.netty.p50.ratio", ratio(hermod, nettySamples, 50), "ratio");
            report.result("latency.netty.p99.ratio", ratio(hermod, nettySamples, 99), "ratio");
            if (hermodUsage.cpuNanos() >= 0) {
                report.result("latency.hermod.cpu", hermodUsage.cpuNanos() / 1e3 / o.calls(), "cpu-us/call");
                report.result("latency.pooled.cpu", pooledUsage.cpuNanos() / 1e3 / o.calls(), "cpu-us/call");
                report.result("latency.parked.cpu", parkedUsage.cpuNanos() / 1e3 / o.calls(), "cpu-us/call");
                report.result("latency.async.cpu", asyncUsage.cpuNanos() / 1e3 / o.calls(), "cpu-us/call");
                report.result("latency.socket.cpu", socketUsage.cpuNanos() / 1e3 / o.calls(), "cpu-us/call");
                report.result("latency.netty.cpu", nettyUsage.cpuNanos() / 1e3 / o.calls(), "cpu-us/call");
            }
            if (hermodUsage.switches() >= 0) {
                report.result("latency.hermod.switches", (double) hermodUsage.switches() / o.calls(), "switches/call");
                report.result("latency.pooled.switches", (double) pooledUsage.switches() / o.calls(), "switches/call");
                report.result("latency.parked.switches", (double) parkedUsage.switches() / o.calls(), "switches/call");
                report.result("latency.async.switches", (double) asyncUsage.switches() / o.calls(), "switches/call");
                report.result("latency.socket.switches", (double) socketUsage.switches() / o.calls(), "switches/call");
                report.result("latency.netty.switches", (double) nettyUsage.switches() / o.calls(), "switches/call");
            }
            idle(o, report, echo, pingPong, netty, request);
        }
    }

    /** The calls after a pause: each side's, in turns, each after {@link #IDLE_MILLIS} ms of quiet. */
    private static void idle(Options o, Report report, Echo echo, PingPong pingPong, NettyEcho netty, byte[] request)
            throws Exception {
        int calls = o.quick() ? 5 : IDLE_CALLS;
        long[] hermod = new long[calls];
        long[] socket = new long[calls];
        long[] bare = new long[calls];
        for (int i = 0; i < calls; i++) {
            Thread.sleep(IDLE_MILLIS);
            hermod(echo, request, hermod, i, i + 1);
            Thread.sleep(IDLE_MILLIS);
            pingPong.run(request, socket, i, i + 1);
            Thread.sleep(IDLE_MILLIS);
            netty.pingPong(request, bare, i, i + 1);
        }
        Arrays.sort(hermod);
        Arrays.sort(socket);
        Arrays.sort(bare);
        report.line("latency: after %d ms of quiet, p50 hermod %.1f us, socket %.1f us, netty %.1f us (%d calls each)",
                IDLE_MILLIS, micros(percentile(hermod, 50)), micros(percentile(socket, 50)),
                micros(percentile(bare, 50)), calls);
        report.result("latency.idle.hermod.p50", micros(percentile(hermod, 50)), "us");
        report.result("latency.idle.socket.p50", micros(percentile(socket, 50)), "us");
        report.result("latency.idle.netty.p50", micros(percentile(bare, 50)), "us");
        report.result("latency.idle.ratio", ratio(hermod, socket, 50), "ratio");
        report.result("latency.idle.netty.ratio", ratio(hermod, bare, 50), "ratio");
    }

    private static double ratio(long[] sorted, long[] baseline, double p) {
        return (double) percentile(sorted, p) / Math.max(1, percentile(baseline, p));
    }

    /** Makes calls {@code from} to {@code to}, storing each round trip's nanoseconds in {@code samples}. */
    private static void hermod(Echo echo, byte[] request, long[] samples, int from, int to) {
        for (int i = from; i < to; i++) {
            Payloads.stamp(request, i);
            long start = System.nanoTime();
            byte[] reply = echo.echo(request);
            samples[i] = System.nanoTime() - start;
            if (!Arrays.equals(reply, request)) {
                throw new BenchmarkFailure("Echo.echo returned a reply that does not match request " + i);
            }
        }
    }

    /** As {@link #hermod}, each call made asynchronously and its outcome then waited for by this thread. */
    private static void async(EchoAsync echo, byte[] request, long[] samples, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            Payloads.stamp(request, i);
            long start = System.nanoTime();
            byte[] reply = echo.echo(request).value();
            samples[i] = System.nanoTime() - start;
            if (!Arrays.equals(reply, request)) {
                throw new BenchmarkFailure("EchoAsync.echo returned a reply that does not match request " + i);
            }
        }
    }

    /** The baseline client: write a frame, flush, read the reply frame; one thread, no pipelining. */
    private static final class PingPong {
        private final DataInputStream in;
        private final DataOutputStream out;
        private final byte[] reply;

        PingPong(Socket socket, int payload) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
            this.reply = new byte[payload];
        }

        void run(byte[] request, long[] samples, int from, int to) throws IOException {
            for (int i = from; i < to; i++) {
                Payloads.stamp(request, i);
                long start = System.nanoTime();
                out.writeInt(request.length);
                out.write(request);
                out.flush();
                int length = in.readInt();
                if (length != reply.length) {
                    throw new BenchmarkFailure("ping-pong reply " + i + " has " + length + " bytes, expected "
                            + reply.length);
                }
                in.readFully(reply);
                samples[i] = System.nanoTime() - start;
                if (!Arrays.equals(reply, request)) {
                    throw new BenchmarkFailure("ping-pong reply does not match request " + i);
                }
            }
        }
    }

    private interface Calls {
        void run() throws Exception;
    }

    /** Runs {@code calls}, which fill {@code samples}, and returns their rate. */
    private static double callsPerSecond(long[] samples, Calls calls) throws Exception {
        long start = System.nanoTime();
        calls.run();
        return samples.length / ((System.nanoTime() - start) / 1e9);
    }

    /** The nearest-rank percentile of sorted samples. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void describe(Report report, String side, long[] sorted) {
        long sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        report.line("latency: %s min %.1f us, p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us,"
                + " mean %.1f us over %d calls", side, micros(sorted[0]), micros(percentile(sorted, 50)),
                micros(percentile(sorted, 90)), micros(percentile(sorted, 99)), micros(percentile(sorted, 99.9)),
                micros(sorted[sorted.length - 1]), micros(sum / sorted.length), sorted.length);
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }

    /** The servant of both the latency and throughput scenarios. */
    static final class EchoServant implements Echo {
        @Override
        public byte[] echo(byte[] data) {
            return data;
        }
    }
}
