package dev.hermod.bench;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Remote;
import dev.hermod.Server;
import dev.hermod.tools.CompanionOf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The scale scenario (issue "Beyond one server"): a latency-bound servant ({@code work} waits
 * {@value #WORK_MILLIS} ms, at most {@value #THREADS} at a time per server) behind 1, 2 and 4
 * server processes on this host, one client with a target listing them and the default load
 * balancing (power of two choices), {@code async-window} calls outstanding for {@code --seconds}
 * each. The servants wait rather than compute, so throughput should grow with the servers
 * (ideal: {@value #THREADS} / {@value #WORK_MILLIS} ms = 4,000 calls/s per server).
 */
public final class ScaleBenchmark {
    static final int WORK_MILLIS = 2;
    static final int THREADS = 8;

    /** A service that takes time without using the CPU. */
    @Remote
    public interface Slow {
        int work(int n);
    }

    /** The asynchronous companion of {@link Slow}. */
    @CompanionOf(Slow.class)
    public interface SlowAsync {
        AsyncResult.Throwing<Integer, RuntimeException> work(int n);
    }

    private ScaleBenchmark() {}

    /**
     * A server process: serves {@link Slow} on an ephemeral port, prints it, runs until stdin
     * closes, then exits. The server does not own the executor it was given: its threads are
     * ended here, or the process would outlive the server.
     */
    public static void main(String[] args) throws IOException {
        ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try (Server server = Hermod.server().host("127.0.0.1").executor(executor)
                .add("slow", Slow.class, n -> {
                    try {
                        Thread.sleep(WORK_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return n;
                }).start()) {
            System.out.println("PORT " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes our standard input, or dies
            }
        } finally {
            executor.shutdown();
        }
    }

    static void run(Options o, Report report) throws Exception {
        List<Process> processes = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                processes.add(start()); // all four start at once
            }
            for (Process p : processes) {
                ports.add(port(p));
            }
            report.line("scale: Slow.work (%d ms, %d threads per server) behind 1, 2 and 4 server processes, window %d,"
                    + " %.1f s each after a warm-up of %.1f s", WORK_MILLIS, THREADS, o.asyncWindow(),
                    o.duration().toNanos() / 1e9, o.warmup().toNanos() / 1e9);
            double[] rates = new double[3];
            int[] counts = {1, 2, 4};
            for (int i = 0; i < counts.length; i++) {
                String target = "tcp://" + ports.subList(0, counts[i]).stream().map(p -> "127.0.0.1:" + p)
                        .collect(Collectors.joining(","));
                try (Client client = Hermod.client(target)) {
                    SlowAsync slow = client.proxy(SlowAsync.class, "slow");
                    if (!o.warmup().isZero()) {
                        rate(slow, o.asyncWindow(), o.warmup().toNanos());
                    }
                    rates[i] = rate(slow, o.asyncWindow(), o.duration().toNanos());
                }
                report.line("scale: %d server(s): %.0f calls/s", counts[i], rates[i]);
            }
            report.result("scale.1.calls", rates[0], "calls/s");
            report.result("scale.2.calls", rates[1], "calls/s");
            report.result("scale.4.calls", rates[2], "calls/s");
            report.result("scale.2.ratio", rates[1] / rates[0], "ratio");
            report.result("scale.4.ratio", rates[2] / rates[0], "ratio");
        } finally {
            for (Process p : processes) {
                p.getOutputStream().close(); // each ends its server and exits; all at once
            }
            for (Process p : processes) {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    static Process start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ScaleBenchmark.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    static int port(Process p) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        throw new BenchmarkFailure("a server process ended before it printed its port");
    }

    /** Calls for {@code nanos} with {@code window} outstanding; returns completed calls per second. */
    private static double rate(SlowAsync slow, int window, long nanos) throws InterruptedException {
        Semaphore permits = new Semaphore(window);
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        long end = t0 + nanos;
        int n = 0;
        while (System.nanoTime() < end && failure.get() == null) {
            permits.acquire();
            int sent = n++;
            slow.work(sent).whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else if (v != sent) {
                    failure.compareAndSet(null, new BenchmarkFailure("call " + sent + " answered " + v));
                }
                done.incrementAndGet();
                permits.release();
            });
        }
        permits.acquire(window);
        long elapsed = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new BenchmarkFailure("a call failed", failure.get());
        }
        return done.get() / (elapsed / 1e9);
    }
}
