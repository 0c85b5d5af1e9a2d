package dev.hermod.bench;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The virtual-threads scenario: the Kaa seed writes sequential asynchronous code as coroutines;
 * in Java that is a virtual thread making synchronous calls, parked (not blocking an OS thread)
 * while each reply is on its way. 10,000 virtual threads each make 10 calls one after another
 * through the synchronous proxy; the same 100,000 calls are then made as 10,000 chains of 10
 * asynchronous calls ({@code thenCompose}), the callback style virtual threads replace. Both run
 * against one server in this JVM, whose servant answers at once. Reports calls per second of
 * each, their ratio, and how much the heap grew at most while the virtual threads ran (sampled
 * every 5 ms, over the heap in use before). Needs JDK 21 or later; on an older JDK it says so and
 * reports nothing.
 */
final class VirtualThreadsBenchmark {
    private VirtualThreadsBenchmark() {}

    static final int THREADS = 10_000;
    static final int QUICK_THREADS = 1_000;
    static final int CALLS_EACH = 10;

    static void run(Options o, Report report) throws Exception {
        ExecutorService virtual = virtualThreadPerTask();
        if (virtual == null) {
            report.line("vthreads: skipped, virtual threads need JDK 21 or later (this is %s)",
                    Runtime.version().feature());
            return;
        }
        int threads = o.quick() ? QUICK_THREADS : THREADS;
        byte[] data = Payloads.of(o.payload(), 0);
        try (Server server = Hermod.server().host("127.0.0.1").add("echo", Echo.class, d -> d).start();
                Client client = Hermod.client().target(server.target()).maxQueuedBytes(64L * 1024 * 1024).build()) {
            Echo echo = client.proxy(Echo.class, "echo");
            EchoAsync async = client.proxy(EchoAsync.class, "echo");
            report.line("vthreads: %d virtual threads x %d sequential calls, %d-byte payload, against %d chains"
                    + " of %d asynchronous calls", threads, CALLS_EACH, o.payload(), threads, CALLS_EACH);
            if (!o.warmup().isZero()) {
                long max = o.warmupMax().toNanos();
                WarmUp.run(report, "vthreads: virtual threads", "calls/s", max,
                        () -> sequential(virtual, echo, data, threads / 10, null));
                WarmUp.run(report, "vthreads: async chains", "calls/s", max, () -> chained(async, data, threads / 10));
            }
            HeapPeak heap = new HeapPeak();
            double onVirtual = sequential(virtual, echo, data, threads, heap);
            double onChains = chained(async, data, threads);
            report.result("vthreads.hermod.calls", onVirtual, "calls/s");
            report.result("vthreads.async.calls", onChains, "calls/s");
            report.result("vthreads.ratio", onVirtual / onChains, "ratio");
            report.result("vthreads.heap.peak", heap.grownBytes() / (1024.0 * 1024.0), "MiB");
        } finally {
            virtual.shutdown();
        }
    }

    /** One virtual thread per task, or null before JDK 21 (found by reflection: the build targets 17). */
    static ExecutorService virtualThreadPerTask() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make virtual threads", e);
        }
    }

    /** Each thread: {@value #CALLS_EACH} synchronous calls in a row, each answer checked. */
    private static double sequential(ExecutorService virtual, Echo echo, byte[] data, int threads, HeapPeak heap)
            throws Exception {
        AtomicLong answered = new AtomicLong();
        List<Future<?>> done = new ArrayList<>(threads);
        if (heap != null) {
            heap.start();
        }
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            done.add(virtual.submit(() -> {
                for (int i = 0; i < CALLS_EACH; i++) {
                    check(echo.echo(data), data);
                    answered.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        long nanos = System.nanoTime() - start;
        if (heap != null) {
            heap.stop();
        }
        return rate(answered.get(), (long) threads * CALLS_EACH, nanos);
    }

    /** Each chain: {@value #CALLS_EACH} asynchronous calls, each sent when the one before answered. */
    private static double chained(EchoAsync async, byte[] data, int chains) throws Exception {
        AtomicLong answered = new AtomicLong();
        CompletableFuture<?>[] all = new CompletableFuture<?>[chains];
        long start = System.nanoTime();
        for (int c = 0; c < chains; c++) {
            all[c] = chain(async, data, CALLS_EACH, answered).toCompletableFuture();
        }
        CompletableFuture.allOf(all).get(120, TimeUnit.SECONDS);
        return rate(answered.get(), (long) chains * CALLS_EACH, System.nanoTime() - start);
    }

    private static CompletionStage<Void> chain(EchoAsync async, byte[] data, int left, AtomicLong answered) {
        if (left == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return async.echo(data).thenCompose(reply -> {
            check(reply, data);
            answered.incrementAndGet();
            return chain(async, data, left - 1, answered);
        });
    }

    private static void check(byte[] reply, byte[] sent) {
        if (!Arrays.equals(reply, sent)) {
            throw new BenchmarkFailure("vthreads: a reply differs from its request");
        }
    }

    private static double rate(long answered, long expected, long nanos) {
        if (answered != expected) {
            throw new BenchmarkFailure("vthreads: " + answered + " of " + expected + " calls answered");
        }
        return answered / (nanos / 1e9);
    }

    /** The most the heap in use grew over its level at start, sampled every 5 ms by a daemon thread. */
    private static final class HeapPeak {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private volatile boolean running;
        private volatile long peak;
        private long base;
        private Thread sampler;

        void start() {
            System.gc();
            base = memory.getHeapMemoryUsage().getUsed();
            peak = base;
            running = true;
            sampler = new Thread(() -> {
                while (running) {
                    peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "vthreads-heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        void stop() throws InterruptedException {
            running = false;
            sampler.join();
        }

        long grownBytes() {
            return Math.max(0, peak - base);
        }
    }
}
