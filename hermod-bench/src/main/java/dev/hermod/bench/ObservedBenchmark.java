package dev.hermod.bench;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.intercept.Interceptor;
import dev.hermod.Server;
import dev.hermod.micrometer.HermodMetrics;
import dev.hermod.opentelemetry.HermodTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;

/**
 * The observed scenario: what the metrics and tracing interceptors cost, beside the bare figure
 * in the same run. Two servers serve {@code Echo} on their I/O threads, one bare and one with
 * {@link HermodMetrics} and {@link HermodTracing} installed, each with a client built the same
 * way; asynchronous calls with the throughput scenario's window ({@link ThroughputBenchmark#hermod}),
 * alternating between the two. Tracing records every span (an SDK that samples all, with no
 * exporter); metrics go to a {@link SimpleMeterRegistry}.
 */
final class ObservedBenchmark {
    private ObservedBenchmark() {}

    static void run(Options o, Report report) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().build()).build()) {
            Interceptor metrics = new HermodMetrics(meters);
            Interceptor tracing = new HermodTracing(otel);
            try (Server bareServer = Hermod.server().host("127.0.0.1").directExecutor()
                            .add("echo", Echo.class, new LatencyBenchmark.EchoServant()).start();
                    Server observedServer = Hermod.server().host("127.0.0.1").directExecutor()
                            .intercept(metrics).intercept(tracing)
                            .add("echo", Echo.class, new LatencyBenchmark.EchoServant()).start();
                    Client bare = Hermod.client("tcp://127.0.0.1:" + bareServer.port());
                    Client observed = Hermod.client().target("tcp://127.0.0.1:" + observedServer.port())
                            .intercept(metrics).intercept(tracing).build()) {
                measure(o, report, bare.proxy(EchoAsync.class, "echo"), observed.proxy(EchoAsync.class, "echo"));
            }
        }
    }

    private static void measure(Options o, Report report, EchoAsync bare, EchoAsync observed) throws Exception {
        report.line("observed: %d-byte async echo, window %d, %d runs of %.1f s per side, alternating; interceptors:"
                + " HermodMetrics + HermodTracing on client and server", o.payload(), o.asyncWindow(), o.runs(),
                o.duration().toNanos() / 1e9);
        if (!o.warmup().isZero()) {
            ThroughputBenchmark.hermod(bare, o.payload(), o.asyncWindow(), o.warmup());
            ThroughputBenchmark.hermod(observed, o.payload(), o.asyncWindow(), o.warmup());
        }
        double bareBest = 0;
        double observedBest = 0;
        for (int i = 0; i < Math.max(1, o.runs()); i++) {
            bareBest = Math.max(bareBest,
                    ThroughputBenchmark.hermod(bare, o.payload(), o.asyncWindow(), o.duration()).perSecond());
            observedBest = Math.max(observedBest,
                    ThroughputBenchmark.hermod(observed, o.payload(), o.asyncWindow(), o.duration()).perSecond());
        }
        report.result("observed.bare.calls", bareBest, "calls/s");
        report.result("observed.intercepted.calls", observedBest, "calls/s");
        report.result("observed.ratio", observedBest / bareBest, "ratio");
    }
}
