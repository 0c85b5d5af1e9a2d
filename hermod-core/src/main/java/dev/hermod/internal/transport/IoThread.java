package dev.hermod.internal.transport;

import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * A Hermod I/O thread: its type marks it (code on it must never block), and it gathers the tasks
 * it hands to other executors during one turn of its event loop into one task each.
 *
 * <p>Why: replies arrive many to a read, and each used to be handed to the callback executor on
 * its own: one queue insertion, and often one wake-up of a parked thread, per reply (a
 * {@code futex} call, the largest single cost left in a pipelined call). Handed off together at
 * the end of the turn, they cost one of each per turn. A task waits at most until its turn ends,
 * which comes before the thread waits for input again.
 *
 * <p>Confined: the batch is only touched by this thread.
 */
final class IoThread extends FastThreadLocalThread {
    /** The most tasks handed off as one; a turn that gathers more hands them off in parts. */
    static final int MAX_BATCH = 64;
    /** Batches kept for reuse: more than are usually queued or running at once. */
    private static final int SPARE_BATCHES = 16;

    private final List<Runnable> tasks = new ArrayList<>();
    /**
     * Batches whose tasks have run, given back by the threads that ran them, for this thread to
     * fill again: a turn's hand-off then costs no object. Bounded; a batch that finds it full is
     * left to the garbage collector.
     */
    private final Queue<Batch> spare = PlatformDependent.newFixedMpscQueue(SPARE_BATCHES);
    private Executor target;
    private boolean flushScheduled;
    private final Runnable flush = () -> {
        flushScheduled = false;
        flush();
    };

    IoThread(ThreadGroup group, Runnable r, String name) {
        super(group, r, name);
    }

    /**
     * Runs {@code task} on {@code executor}, with the other tasks this thread hands it in the
     * current turn of its event loop. Never throws: should the executor refuse, the tasks run on
     * the common pool (never here, where user code must not run).
     */
    void handOff(Executor executor, Runnable task) {
        if (target != executor && !tasks.isEmpty()) {
            flush();
        }
        target = executor;
        tasks.add(task);
        if (tasks.size() >= MAX_BATCH) {
            flush();
        } else if (!flushScheduled) {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            if (loop instanceof SingleThreadEventLoop l && !l.isShuttingDown()) {
                try {
                    l.executeAfterEventLoopIteration(flush);
                    flushScheduled = true;
                    return;
                } catch (RejectedExecutionException shuttingDown) {
                    // flushed below
                }
            }
            flush(); // not in a turn of an event loop we can wait for: no batching
        }
    }

    private void flush() {
        if (tasks.isEmpty()) {
            return;
        }
        Runnable batch;
        if (tasks.size() == 1) {
            batch = tasks.get(0);
        } else {
            Batch b = spare.poll();
            if (b == null) {
                b = new Batch(spare);
            }
            b.fill(tasks);
            batch = b;
        }
        tasks.clear();
        Executor executor = target;
        target = null;
        try {
            executor.execute(batch);
        } catch (RejectedExecutionException closed) {
            ForkJoinPool.commonPool().execute(batch);
        }
    }

    /**
     * Tasks run one after another; one that throws does not keep the others from running. Filled
     * by its I/O thread, run once by the executor it is handed to, then given back to the I/O
     * thread's spares (the queue's hand-over orders the two).
     */
    private static final class Batch implements Runnable {
        private final Runnable[] tasks = new Runnable[MAX_BATCH];
        private int count;
        private final Queue<Batch> home;

        Batch(Queue<Batch> home) {
            this.home = home;
        }

        /** Takes the tasks (at most {@link #MAX_BATCH}); on the I/O thread, before the hand-off. */
        void fill(List<Runnable> from) {
            count = from.size();
            for (int i = 0; i < count; i++) {
                tasks[i] = from.get(i);
            }
        }

        @Override
        public void run() {
            int n = count;
            for (int i = 0; i < n; i++) {
                Runnable task = tasks[i];
                tasks[i] = null;
                try {
                    task.run();
                } catch (Throwable t) {
                    Thread current = Thread.currentThread();
                    current.getUncaughtExceptionHandler().uncaughtException(current, t);
                }
            }
            count = 0;
            home.offer(this); // full: dropped
        }
    }
}
