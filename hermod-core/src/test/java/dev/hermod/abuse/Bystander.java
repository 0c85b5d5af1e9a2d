package dev.hermod.abuse;

import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.Hermod;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A well-behaved client on a connection of its own that calls {@link Abuse#ping()} every 20 ms
 * while an attack runs, and remembers its worst latency and its failures: what the suite asserts
 * so that an attack hurts only the peer making it.
 */
final class Bystander implements AutoCloseable {
    private final Client client;
    private final Abuse abuse;
    private final Thread thread;
    private final AtomicLong worstNanos = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String firstFailure;
    private volatile boolean running = true;
    /** When the call in progress started, or 0 between calls. */
    private volatile long callStart;

    Bystander(int port) {
        this.client = Hermod.client().target("tcp://127.0.0.1:" + port).build();
        this.abuse = client.proxy(Abuse.class, "abuse", CallOptions.defaults().withTimeout(Duration.ofSeconds(30)));
        abuse.ping(); // connected before any attack starts
        this.thread = new Thread(this::loop, "bystander");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            long t0 = System.nanoTime();
            callStart = t0;
            try {
                abuse.ping();
                calls.incrementAndGet();
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                if (firstFailure == null) {
                    firstFailure = e.toString();
                }
            }
            callStart = 0;
            long took = System.nanoTime() - t0;
            worstNanos.accumulateAndGet(took, Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One quick call now, timed, on the bystander's connection. */
    Duration timeOneCall() {
        long t0 = System.nanoTime();
        abuse.ping();
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Starts a new window: worst latency and counts from now on. */
    void newWindow() {
        worstNanos.set(0);
        calls.set(0);
        failures.set(0);
        firstFailure = null;
    }

    /**
     * The worst latency of the window so far, counting a call still waiting as of now. Read it
     * while the attack is still on.
     */
    Window window() {
        long started = callStart;
        long waiting = started == 0 ? 0 : System.nanoTime() - started;
        return new Window(Duration.ofNanos(Math.max(worstNanos.get(), waiting)), calls.get(), failures.get(),
                firstFailure);
    }

    /** What the bystander saw during one attack. */
    record Window(Duration worst, long calls, long failures, String firstFailure) {}

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(35_000);
        client.close();
    }
}
