package dev.hermod.bench;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The compression scenario: synchronous echo calls of a 64 KiB payload of repeating text, which
 * compresses well, through one server, from a client with compression off and one with it on
 * ({@code Client.Builder.compression(true)}: LZ4 on the request, and the reply asked for
 * compressed). Loopback has bandwidth to spare, so this shows what compressing costs (or saves)
 * in CPU and copying rather than what it saves on a real network.
 * Both sides warm up first, then the measured calls alternate between them in {@code --runs}
 * segments; every reply is compared with its request.
 */
final class CompressionBenchmark {
    /** The payload size the issue asks about. */
    static final int PAYLOAD = 64 * 1024;

    private CompressionBenchmark() {}

    static void run(Options o, Report report) throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").directExecutor()
                        .add("echo", Echo.class, new LatencyBenchmark.EchoServant()).start();
                Client plain = Hermod.client("tcp://127.0.0.1:" + server.port());
                Client compressing = Hermod.client().target("tcp://127.0.0.1:" + server.port()).compression(true)
                        .build()) {
            Echo off = plain.proxy(Echo.class, "echo");
            Echo lz4 = compressing.proxy(Echo.class, "echo");
            byte[] request = text(PAYLOAD);
            int calls = Math.max(1, o.calls() / 20);
            report.line("compression: %d-byte echo of repeating text, %d measured calls per side in %d segments;"
                    + " off: plain client; lz4: Client.Builder.compression(true)", PAYLOAD, calls, o.runs());
            if (o.warmupCalls() > 0) {
                int rounds = Math.max(1, o.warmupCalls() / 20);
                long max = o.warmupMax().toNanos();
                WarmUp.run(report, "compression: off", "calls/s", max, () -> rate(off, request, rounds));
                WarmUp.run(report, "compression: lz4", "calls/s", max, () -> rate(lz4, request, rounds));
            }
            long offNanos = 0;
            long lz4Nanos = 0;
            int segments = Math.min(o.runs(), calls);
            for (int i = 0; i < segments; i++) {
                int n = (int) ((long) calls * (i + 1) / segments - (long) calls * i / segments);
                long t0 = System.nanoTime();
                echo(off, request, n);
                long t1 = System.nanoTime();
                echo(lz4, request, n);
                lz4Nanos += System.nanoTime() - t1;
                offNanos += t1 - t0;
            }
            double offRate = calls / (offNanos / 1e9);
            double lz4Rate = calls / (lz4Nanos / 1e9);
            report.result("compression.off.calls", offRate, "calls/s");
            report.result("compression.lz4.calls", lz4Rate, "calls/s");
            report.result("compression.ratio", lz4Rate / offRate, "ratio");
        }
    }

    private static double rate(Echo echo, byte[] request, int n) {
        long t0 = System.nanoTime();
        echo(echo, request, n);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static void echo(Echo echo, byte[] request, int n) {
        for (int i = 0; i < n; i++) {
            byte[] reply = echo.echo(request);
            if (!Arrays.equals(reply, request)) {
                throw new BenchmarkFailure("call " + i + ": the reply differs from the request");
            }
        }
    }

    /** Repeating English text: compressible like JSON, logs or documents are. */
    static byte[] text(int size) {
        byte[] line = "the quick brown fox jumps over the lazy dog, again and again; "
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = line[i % line.length];
        }
        return out;
    }
}
