package dev.hermod.internal.dispatch;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The dispatch executor of a client that serves incoming calls only when the application asks
 * (RPyC's {@code poll_all}): tasks wait in a queue until a thread polls, and run in that thread.
 * Thread-safe; several threads may poll.
 */
public final class ManualExecutor implements java.util.concurrent.Executor {
    /** Requests served by the polling thread during its current poll; null outside a poll. */
    private static final ThreadLocal<int[]> SERVED = new ThreadLocal<>();

    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Counts one request served, if the calling thread is polling. */
    static void served() {
        int[] count = SERVED.get();
        if (count != null) {
            count[0]++;
        }
    }

    /** Serves what is pending, and what that makes pending, in the calling thread. */
    public int poll() {
        return run(null);
    }

    /**
     * Waits up to {@code timeout} for something to serve, then serves everything pending.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public int poll(Duration timeout) throws InterruptedException {
        Runnable first = tasks.poll(TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS);
        return first == null ? 0 : run(first);
    }

    private int run(Runnable first) {
        int[] outer = SERVED.get();
        int[] count = {0};
        SERVED.set(count);
        try {
            Runnable task = first != null ? first : tasks.poll();
            while (task != null) {
                task.run();
                task = tasks.poll();
            }
        } finally {
            SERVED.set(outer);
        }
        return count[0];
    }
}
