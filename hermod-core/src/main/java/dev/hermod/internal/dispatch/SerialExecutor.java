package dev.hermod.internal.dispatch;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor, holding none of its
 * threads while idle. A task that throws is logged and the next one runs.
 */
public final class SerialExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor delegate;
    private final Consumer<Runnable> rejected;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Drain drain = new Drain();
    /**
     * Runs, when set, in a drain loop that has found no task left, before it says the executor
     * is idle. Tests set it to widen the race the look after closes; null otherwise.
     */
    static volatile Consumer<SerialExecutor> beforeIdle;

    /**
     * @param delegate runs the drain loop
     * @param rejected receives, in order, the tasks that could not run because {@code delegate}
     *     refused (it is full or shut down)
     */
    SerialExecutor(Executor delegate, Consumer<Runnable> rejected) {
        this.delegate = delegate;
        this.rejected = rejected;
    }

    /** A serial executor whose tasks run in the submitting thread if {@code delegate} refuses. */
    public static SerialExecutor orRunHere(Executor delegate) {
        return new SerialExecutor(delegate, Executors2::runRefused);
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    private void schedule() {
        if (running.compareAndSet(false, true)) {
            try {
                delegate.execute(drain);
            } catch (RejectedExecutionException e) {
                drain.refused();
            }
        }
    }

    /**
     * Tells a serial executor that the delegate refused its drain loop after accepting it (a
     * delegate that queues before it runs, such as the dispatch's fair scheduler): the tasks
     * waiting go to its rejection handler. Returns false if {@code task} is no drain loop.
     */
    static boolean refused(Runnable task) {
        if (task instanceof Drain d) {
            d.refused();
            return true;
        }
        return false;
    }

    /** The loop that runs the tasks, one after the other, as one task of the delegate. */
    private final class Drain implements Runnable {
        @Override
        public void run() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    log.error("a serialized task failed", e);
                }
            }
            idle();
        }

        void refused() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                rejected.accept(task);
            }
            idle();
        }

        /**
         * No task was left: says the executor is idle, then looks again. A task added after the
         * last look saw this loop running and left itself to it; refused or not, the loop must
         * not end without it, or it waits for the next {@code execute}.
         */
        private void idle() {
            Consumer<SerialExecutor> hook = beforeIdle;
            if (hook != null) {
                hook.accept(SerialExecutor.this);
            }
            running.set(false);
            if (!tasks.isEmpty()) {
                schedule();
            }
        }
    }
}
