package dev.hermod.internal.invocation;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one deadline timer of the JVM, shared by every client and server: a Netty
 * {@link HashedWheelTimer} with one daemon thread, {@code hermod-timer}, whatever the number of
 * clients and servers (Netty logs an error once more than 64 wheel timers are alive, and each
 * costs a thread). It exists while at least one {@link Lease} is open: the first
 * {@link #acquire()} starts it, the last {@link Lease#close()} stops it, so a process (or a
 * redeployed application) that closes its clients and servers keeps no Hermod thread behind.
 *
 * <p>Tasks on the timer only complete futures and hand work to executors; they never block.
 * Thread-safe.
 */
public final class SharedTimer {
    private static final long TICK_MILLIS = 10;
    private static final Object LOCK = new Object();

    private static HashedWheelTimer timer;
    private static Thread worker;
    private static int leases;

    private SharedTimer() {}

    /** Takes a lease on the shared timer, starting it if no lease is open. */
    public static Lease acquire() {
        synchronized (LOCK) {
            if (timer == null) {
                ThreadFactory factory = r -> {
                    Thread t = new Thread(r, "hermod-timer");
                    t.setDaemon(true);
                    synchronized (LOCK) {
                        worker = t;
                    }
                    return t;
                };
                timer = new HashedWheelTimer(factory, TICK_MILLIS, TimeUnit.MILLISECONDS);
            }
            leases++;
            return new Lease(timer);
        }
    }

    /** How many leases are open; for tests. */
    static int leases() {
        synchronized (LOCK) {
            return leases;
        }
    }

    private static void release() {
        HashedWheelTimer stopping;
        Thread stoppingWorker;
        synchronized (LOCK) {
            if (--leases > 0) {
                return;
            }
            stopping = timer;
            stoppingWorker = worker;
            timer = null;
            worker = null;
        }
        // Timeouts still pending belong to calls already completed by their owners' close: none of
        // them needs to run. A wheel cannot stop itself from its own thread.
        if (Thread.currentThread() == stoppingWorker) {
            Thread stopper = new Thread(stopping::stop, "hermod-timer-stop");
            stopper.setDaemon(true);
            stopper.start();
        } else {
            stopping.stop();
        }
    }

    /**
     * One owner's hold on the shared timer. {@link #close()} gives it back (once; later calls do
     * nothing); timeouts scheduled through {@link #timer()} after that may never run.
     */
    public static final class Lease implements AutoCloseable {
        private final Timer timer;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(Timer timer) {
            this.timer = timer;
        }

        /** The shared timer; never stop it directly. */
        public Timer timer() {
            return timer;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release();
            }
        }
    }
}
