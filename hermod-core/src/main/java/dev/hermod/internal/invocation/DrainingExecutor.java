package dev.hermod.internal.invocation;

import dev.hermod.internal.dispatch.Executors2;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a client's settle tasks to its callback executor in batches: tasks wait in one queue,
 * and "drainers", each one task of the executor, run them one at a time until the queue is
 * empty. While replies keep coming, a reply is a queue offer with no hand-off and no wake-up;
 * handing each reply to the executor as its own task cost the I/O thread a lock and a wake-up,
 * and the executor's threads their parking, per call.
 *
 * <p>A drainer starts when a task is offered and no drainer is between tasks (all run one, or
 * none is there), and when a drainer takes a task and sees more waiting; up to as many run at
 * once as the executor has threads: its maximum pool size, a fork-join pool's parallelism, or no
 * limit for any other executor (a thread per task keeps its parallelism). So a callback that
 * blocks holds one drainer, as it held one pool thread before, and the others go on. A drainer
 * runs at most {@link #TASKS_PER_RUN} tasks, then queues itself behind the executor's other work.
 * If the executor refuses a drainer (it shut down), the waiting tasks run as {@link
 * Executors2#runRefused} runs them. A task that throws is logged and the next one runs.
 *
 * <p>Thread-safe: the numbers of drainers started and of those between tasks share one word
 * changed atomically ({@link #state}); each task is taken from the queue exactly once.
 */
final class DrainingExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(DrainingExecutor.class);
    /** Tasks one drainer runs before it lets the executor run others. */
    static final int TASKS_PER_RUN = 64;
    /** In {@link #state}: one drainer started (high half); the low half counts those between tasks. */
    private static final long ONE_STARTED = 1L << 32;
    private static final long BETWEEN_TASKS = 0xFFFF_FFFFL;

    private final Executor executor;
    /** The executor if it can say it shut down, else null. */
    private final ExecutorService service;
    private final int maxDrainers;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /**
     * The drainers started and not retired (high half) and, of those, the ones not running a task
     * (low half): about to take one, or queued on the executor.
     */
    private final AtomicLong state = new AtomicLong();

    DrainingExecutor(Executor executor) {
        this.executor = executor;
        this.service = executor instanceof ExecutorService e ? e : null;
        this.maxDrainers = parallelismOf(executor);
    }

    /** How many drainers may run at once on {@code executor}: as many as it has threads. */
    static int parallelismOf(Executor executor) {
        if (executor instanceof ThreadPoolExecutor pool) {
            return Math.max(1, pool.getMaximumPoolSize());
        }
        if (executor instanceof ForkJoinPool pool) {
            return Math.max(1, pool.getParallelism());
        }
        return Integer.MAX_VALUE;
    }

    /**
     * Runs {@code task} on the executor, or as {@link Executors2#runRefused} does once it shut
     * down: a drainer it dropped unrun ({@code shutdownNow}) must not keep later tasks waiting.
     */
    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        if (service != null && service.isShutdown()) {
            runRefused();
        } else {
            startIfNeeded(false); // reads the state after the offer: see Drainer.take
        }
    }

    /** The drainers running now; for tests. */
    int drainers() {
        return (int) (state.get() >>> 32);
    }

    /**
     * Starts a drainer if tasks may wait for none: no drainer is between tasks and fewer run than
     * the executor has threads.
     *
     * @param fromDrainer whether a drainer asks, in its thread
     */
    private void startIfNeeded(boolean fromDrainer) {
        while (true) {
            long s = state.get();
            if ((s & BETWEEN_TASKS) != 0 || (s >>> 32) >= maxDrainers) {
                return;
            }
            if (state.compareAndSet(s, s + ONE_STARTED + 1)) {
                break;
            }
        }
        Drainer drainer = new Drainer();
        try {
            if (!fromDrainer) {
                executor.execute(drainer);
            } else if (!drainer.handOff()) {
                state.addAndGet(-ONE_STARTED - 1); // a direct executor: the asking drainer goes on
            }
        } catch (RejectedExecutionException e) {
            state.addAndGet(-ONE_STARTED - 1);
            runRefused();
        }
    }

    /** The executor refused a drainer: the waiting tasks run here, or on the common pool. */
    private void runRefused() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            Executors2.runRefused(guard(task));
        }
    }

    private static Runnable guard(Runnable task) {
        return () -> runGuarded(task);
    }

    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            log.error("a callback task failed", e);
        }
    }

    /** Runs queued tasks one at a time until the queue is empty; one task of the executor. */
    private final class Drainer implements Runnable {
        /** The drainer thread handing this drainer to the executor, while it does. */
        private volatile Thread handingOff;
        /** Set when the executor ran this drainer within {@code execute}, in {@link #handingOff}. */
        private boolean ranInline;

        @Override
        public void run() {
            if (handingOff == Thread.currentThread()) {
                ranInline = true; // a direct executor: the drainer in this thread goes on, not deeper in the stack
                return;
            }
            int ran = 0;
            while (true) {
                Runnable task = take();
                if (task == null) {
                    return; // retired
                }
                runGuarded(task);
                state.incrementAndGet(); // between tasks again
                if (++ran == TASKS_PER_RUN) {
                    ran = 0;
                    if (requeue()) {
                        return;
                    }
                }
            }
        }

        /**
         * Hands this drainer to the executor from a drainer's thread; returns false if the
         * executor ran it at once, in this thread, where it did nothing.
         *
         * @throws RejectedExecutionException if the executor refuses it
         */
        boolean handOff() {
            ranInline = false;
            Thread self = Thread.currentThread();
            handingOff = self;
            try {
                executor.execute(this);
            } finally {
                if (handingOff == self) {
                    handingOff = null;
                }
            }
            return !ranInline;
        }

        /**
         * Takes the next task, starting another drainer if more wait; or retires and returns null
         * if the queue is empty. The caller then counts as running a task.
         */
        private Runnable take() {
            while (true) {
                Runnable task = tasks.poll();
                if (task != null) {
                    state.decrementAndGet();
                    // Counted out of the drainers between tasks before looking at the queue, as
                    // execute offers before it looks at that count: one of the two sees the other.
                    if (!tasks.isEmpty()) {
                        startIfNeeded(true);
                    }
                    return task;
                }
                state.addAndGet(-ONE_STARTED - 1);
                // A task offered while this drainer still counted as between tasks started none.
                if (tasks.isEmpty() || !restart()) {
                    return null;
                }
            }
        }

        /** Counts this retired drainer in again, unless as many run as may. */
        private boolean restart() {
            while (true) {
                long s = state.get();
                if ((s >>> 32) >= maxDrainers) {
                    return false; // the others take the task
                }
                if (state.compareAndSet(s, s + ONE_STARTED + 1)) {
                    return true;
                }
            }
        }

        /**
         * Queues this drainer behind the executor's other work, so a shared executor stays fair;
         * returns false if it must go on here: the executor ran it at once, or refused it.
         */
        private boolean requeue() {
            try {
                return handOff();
            } catch (RejectedExecutionException e) {
                return false; // shut down: go on here, as a refused task would run here
            }
        }
    }
}
