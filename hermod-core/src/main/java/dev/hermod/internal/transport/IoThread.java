package dev.hermod.internal.transport;

import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayList;
import java.util.List;
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

    private final List<Runnable> tasks = new ArrayList<>();
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
        Runnable batch = tasks.size() == 1 ? tasks.get(0) : new Batch(tasks.toArray(new Runnable[0]));
        tasks.clear();
        Executor executor = target;
        target = null;
        try {
            executor.execute(batch);
        } catch (RejectedExecutionException closed) {
            ForkJoinPool.commonPool().execute(batch);
        }
    }

    /** Tasks run one after another; one that throws does not keep the others from running. */
    private record Batch(Runnable[] tasks) implements Runnable {
        @Override
        public void run() {
            for (Runnable task : tasks) {
                try {
                    task.run();
                } catch (Throwable t) {
                    Thread current = Thread.currentThread();
                    current.getUncaughtExceptionHandler().uncaughtException(current, t);
                }
            }
        }
    }
}
