package dev.hermod.bench;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.security.Tls;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The TLS scenario: what TLS costs, beside plain TCP in the same run. Two servers serve
 * {@code Echo} on their I/O threads, one over TLS with a self-signed certificate for localhost made
 * at start (BouncyCastle), one without; a client of each makes synchronous calls (latency: p50 and
 * p99, segments alternating between the two) and then asynchronous ones with a window
 * ({@link ThroughputBenchmark#hermod}). TLS runs on BoringSSL when it loads (the line says which).
 */
final class TlsBenchmark {
    private TlsBenchmark() {}

    static void run(Options o, Report report) throws Exception {
        Path dir = Files.createTempDirectory("hermod-bench-tls");
        try {
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            selfSigned(cert, key);
            try (Server plainServer = Hermod.server().host("127.0.0.1").directExecutor()
                            .add("echo", Echo.class, new LatencyBenchmark.EchoServant()).start();
                    Server tlsServer = Hermod.server().host("127.0.0.1").directExecutor().tls(Tls.fromPem(cert, key))
                            .add("echo", Echo.class, new LatencyBenchmark.EchoServant()).start();
                    Client plain = Hermod.client("tcp://127.0.0.1:" + plainServer.port());
                    Client secure = Hermod.client().target("tls://localhost:" + tlsServer.port())
                            .tls(Tls.trusting(cert)).build()) {
                measure(o, report, plain, secure);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void measure(Options o, Report report, Client plain, Client secure) throws Exception {
        Echo off = plain.proxy(Echo.class, "echo");
        Echo on = secure.proxy(Echo.class, "echo");
        byte[] request = Payloads.of(o.payload(), 0);
        report.line("tls: %d-byte echo; engine %s; latency: %d measured sync calls per side in %d segments;"
                + " throughput: window %d, %.1f s per side", o.payload(),
                io.netty.handler.ssl.OpenSsl.isAvailable() ? "BoringSSL" : "JDK", o.calls(), o.runs(),
                o.asyncWindow(), o.duration().toNanos() / 1e9);
        if (o.warmupCalls() > 0) {
            long max = o.warmupMax().toNanos();
            WarmUp.run(report, "tls: plain", "calls/s", max, () -> rate(off, request, o.warmupCalls()));
            WarmUp.run(report, "tls: tls", "calls/s", max, () -> rate(on, request, o.warmupCalls()));
        }
        long[] offSamples = new long[o.calls()];
        long[] onSamples = new long[o.calls()];
        int segments = Math.max(1, Math.min(o.runs(), o.calls()));
        for (int i = 0; i < segments; i++) {
            int from = (int) ((long) o.calls() * i / segments);
            int to = (int) ((long) o.calls() * (i + 1) / segments);
            sync(off, request, offSamples, from, to);
            sync(on, request, onSamples, from, to);
        }
        Arrays.sort(offSamples);
        Arrays.sort(onSamples);
        report.result("tls.plain.p50", LatencyBenchmark.percentile(offSamples, 50) / 1e3, "us");
        report.result("tls.tls.p50", LatencyBenchmark.percentile(onSamples, 50) / 1e3, "us");
        report.result("tls.plain.p99", LatencyBenchmark.percentile(offSamples, 99) / 1e3, "us");
        report.result("tls.tls.p99", LatencyBenchmark.percentile(onSamples, 99) / 1e3, "us");
        EchoAsync offAsync = plain.proxy(EchoAsync.class, "echo");
        EchoAsync onAsync = secure.proxy(EchoAsync.class, "echo");
        if (!o.warmup().isZero()) {
            ThroughputBenchmark.hermod(offAsync, o.payload(), o.asyncWindow(), o.warmup());
            ThroughputBenchmark.hermod(onAsync, o.payload(), o.asyncWindow(), o.warmup());
        }
        double offRate = ThroughputBenchmark.hermod(offAsync, o.payload(), o.asyncWindow(), o.duration()).perSecond();
        double onRate = ThroughputBenchmark.hermod(onAsync, o.payload(), o.asyncWindow(), o.duration()).perSecond();
        report.result("tls.plain.calls", offRate, "calls/s");
        report.result("tls.tls.calls", onRate, "calls/s");
        report.result("tls.throughput.ratio", onRate / offRate, "ratio");
    }

    private static double rate(Echo echo, byte[] request, int n) {
        long t0 = System.nanoTime();
        sync(echo, request, new long[n], 0, n);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static void sync(Echo echo, byte[] request, long[] samples, int from, int to) {
        for (int i = from; i < to; i++) {
            long start = System.nanoTime();
            byte[] reply = echo.echo(request);
            samples[i] = System.nanoTime() - start;
            if (!Arrays.equals(reply, request)) {
                throw new BenchmarkFailure("tls: the reply to call " + i + " differs from its request");
            }
        }
    }

    /** A self-signed EC certificate for localhost and 127.0.0.1, valid for a day, as PEM files. */
    private static void selfSigned(Path cert, Path key) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = g.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        try (Writer w = Files.newBufferedWriter(cert, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        }
        try (Writer w = Files.newBufferedWriter(key, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        }
    }
}
