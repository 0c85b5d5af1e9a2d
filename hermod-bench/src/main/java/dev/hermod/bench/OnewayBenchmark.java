package dev.hermod.bench;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The oneway scenario: {@code Counter.hit} called through a oneway proxy, then through a batch
 * proxy (queued and flushed by size, 1 MiB per flush by default), each for a fixed time. A call
 * counts once the server has run it: the rate is calls run divided by the time from the first
 * call until the server reports the last one. Then the other way: the server sends oneway events
 * to an object the client passed it, over the client's connection, counted when the client has
 * run them. There is no plain-socket baseline: the socket
 * equivalent of a oneway call is a write, which the bulk scenario already measures.
 */
final class OnewayBenchmark {
    private OnewayBenchmark() {}

    /** Counts calls; oneway calls of one connection run one at a time, so no contention. */
    static final class CounterServant implements Counter {
        private final AtomicLong count = new AtomicLong();

        @Override
        public void hit(byte[] data) {
            count.incrementAndGet();
        }

        @Override
        public long count() {
            return count.get();
        }
    }

    /** Sends events to a client's sink, oneway, as fast as the connection takes them. */
    static final class EventSourceServant implements EventSource {
        @Override
        public long stream(EventSink sink, long millis, int payload) {
            EventSink events = Hermod.oneway(sink);
            byte[] data = Payloads.of(payload, 0);
            long end = System.nanoTime() + millis * 1_000_000;
            long sent = 0;
            while (System.nanoTime() - end < 0) {
                for (int i = 0; i < 64; i++) {
                    events.event(data);
                }
                sent += 64;
            }
            return sent;
        }
    }

    /** Counts events; a connection's oneway calls run one at a time, so no contention. */
    static final class SinkServant implements EventSink {
        final AtomicLong count = new AtomicLong();

        @Override
        public void event(byte[] data) {
            count.incrementAndGet();
        }
    }

    static void run(Options o, Report report) throws Exception {
        CounterServant servant = new CounterServant();
        try (Server server = Hermod.server().host("127.0.0.1").add("counter", Counter.class, servant)
                        .add("events", EventSource.class, new EventSourceServant()).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Counter twoway = client.proxy(Counter.class, "counter");
            Counter oneway = Hermod.oneway(twoway);
            report.line("oneway: %d-byte argument; warm-up rounds of %.1f s and %.1f s measured per mode",
                    o.payload(), o.warmup().toNanos() / 1e9, o.duration().toNanos() / 1e9);
            if (!o.warmup().isZero()) {
                long max = o.warmupMax().toNanos();
                WarmUp.run(report, "oneway: oneway", "calls/s", max,
                        () -> measure(oneway, twoway, o.payload(), o.warmup(), false));
                WarmUp.run(report, "oneway: batch", "calls/s", max,
                        () -> measure(Hermod.batch(twoway), twoway, o.payload(), o.warmup(), true));
            }
            EventSource source = client.proxy(EventSource.class, "events");
            SinkServant sink = new SinkServant();
            if (!o.warmup().isZero()) {
                WarmUp.run(report, "oneway: events", "calls/s", o.warmupMax().toNanos(),
                        () -> measureEvents(source, sink, o.payload(), o.warmup()));
            }
            double plain = measure(oneway, twoway, o.payload(), o.duration(), false);
            double batched = measure(Hermod.batch(twoway), twoway, o.payload(), o.duration(), true);
            double events = measureEvents(source, sink, o.payload(), o.duration());
            report.result("oneway.hermod.calls", plain, "calls/s");
            report.result("oneway.batch.calls", batched, "calls/s");
            report.result("oneway.events.calls", events, "calls/s");
        }
    }

    /** Sends for {@code duration}, then waits (at most 60 s) until the server has run every call. */
    static double measure(Counter proxy, Counter twoway, int payload, Duration duration, boolean batch) {
        long before = twoway.count();
        byte[] data = Payloads.of(payload, 0);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long sent = 0;
        while (System.nanoTime() - end < 0) {
            for (int i = 0; i < 64; i++) {
                proxy.hit(data);
            }
            sent += 64;
        }
        if (batch) {
            Hermod.flush(proxy);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (twoway.count() - before < sent) {
            if (System.nanoTime() - deadline > 0) {
                throw new BenchmarkFailure("oneway: the server ran " + (twoway.count() - before) + " of " + sent
                        + " calls within 60 s");
            }
            Thread.onSpinWait();
        }
        long nanos = System.nanoTime() - start;
        if (twoway.count() - before != sent) {
            throw new BenchmarkFailure("oneway: the server ran " + (twoway.count() - before) + " calls, " + sent + " sent");
        }
        return sent / (nanos / 1e9);
    }

    /**
     * Has the server stream events to {@code sink} for {@code duration}, then waits (at most 60 s)
     * until the client has run every one: events run per second, from the request until the last.
     */
    static double measureEvents(EventSource source, SinkServant sink, int payload, Duration duration) {
        long before = sink.count.get();
        long start = System.nanoTime();
        long sent = Hermod.withOptions(source, opts -> opts.withTimeout(duration.plusSeconds(60)))
                .stream(sink, duration.toMillis(), payload);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (sink.count.get() - before < sent) {
            if (System.nanoTime() - deadline > 0) {
                throw new BenchmarkFailure("oneway: the client ran " + (sink.count.get() - before) + " of " + sent
                        + " events within 60 s");
            }
            Thread.onSpinWait();
        }
        long nanos = System.nanoTime() - start;
        if (sink.count.get() - before != sent) {
            throw new BenchmarkFailure("oneway: the client ran " + (sink.count.get() - before) + " events, "
                    + sent + " sent");
        }
        return sent / (nanos / 1e9);
    }
}
