package dev.hermod.internal.dispatch;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Runs the requests of all connections on one executor, at most {@code permits} at a time and at
 * most {@code share} of one connection's, and when more are ready than may run, takes them from
 * the connections in turn, one each: a connection with hundreds of requests waiting does not
 * delay the one request of another by more than a turn, and never holds more than its share of
 * the threads. The executor is left only as many tasks as it may run, so its own queue (a FIFO,
 * unfair across connections) never holds any.
 *
 * <p>A connection may be {@linkplain #pause paused}: none of its tasks starts until it is resumed
 * (those running go on). The dispatch pauses a connection whose replies wait to be written past
 * its limits, so that a peer that does not read cannot have more replies made than the tasks
 * already running.
 *
 * <p>Works with any executor: a pool, virtual threads, or one that runs tasks in the calling
 * thread (then a task that ends starts the next from the loop already running in that thread,
 * never by recursing). Thread-safe.
 */
final class FairScheduler {
    /** One connection's place in the scheduler: its ready tasks and its share in use. Guarded by the scheduler. */
    static final class Tenant {
        final ArrayDeque<Runnable> ready = new ArrayDeque<>();
        boolean inTurns;
        int running;
        /** Set while none of this connection's tasks may start; written under the scheduler's lock. */
        volatile boolean paused;
        /** Paused, and to resume once none of its tasks runs. */
        volatile boolean resumeWhenIdle;
    }

    private static final ThreadLocal<int[]> DRAINING = ThreadLocal.withInitial(() -> new int[2]);

    private final Executor executor;
    private final int permits;
    private final int share;
    /** No limit at all: tasks go straight to the executor (whose refusals reach the caller). */
    private final boolean unlimited;
    private final Consumer<Runnable> rejected;
    private final Object lock = new Object();
    /** Connections with tasks ready, in turn order. Guarded by lock, as are their ready queues. */
    private final ArrayDeque<Tenant> turns = new ArrayDeque<>();
    private int running;

    /**
     * @param rejected receives a task the executor refused (it is shut down or full), on the
     *     thread that offered it
     */
    FairScheduler(Executor executor, int permits, int share, Consumer<Runnable> rejected) {
        this.executor = executor;
        this.permits = permits;
        this.share = share;
        this.rejected = rejected;
        this.unlimited = permits == Integer.MAX_VALUE && share == Integer.MAX_VALUE;
    }

    /** Runs {@code task} for {@code connection} when its turn comes. */
    void execute(Tenant connection, Runnable task) {
        if (unlimited && !connection.paused) { // nothing to share out: the executor is the application's own affair
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) {
                rejected.accept(task);
            }
            return;
        }
        synchronized (lock) {
            if (running < permits && connection.running < share && !connection.paused && turns.isEmpty()
                    && connection.ready.isEmpty()) {
                running++; // nobody waits: run it now
                connection.running++;
            } else {
                connection.ready.add(task);
                enterTurns(connection);
                task = null;
            }
        }
        if (task != null) {
            submit(connection, task);
        } else {
            drain();
        }
    }

    /** Puts a connection with tasks ready and room in its share at the back of the line. Guarded by lock. */
    private void enterTurns(Tenant c) {
        if (!c.inTurns && !c.ready.isEmpty() && c.running < share && !c.paused) {
            c.inTurns = true;
            turns.add(c);
        }
    }

    /**
     * Stops starting the tasks of {@code connection} at once, or starts them again once none of
     * its tasks runs (those running when it was paused may be what it was paused for: a resume
     * before they end would start as many more); its tasks already running go on. Any thread;
     * cheap when the state does not change.
     */
    void pause(Tenant connection, boolean paused) {
        if (paused ? connection.paused && !connection.resumeWhenIdle : !connection.paused) {
            return; // the usual case: nothing changes, and no lock is taken
        }
        synchronized (lock) {
            if (paused) {
                connection.paused = true;
                connection.resumeWhenIdle = false;
                return;
            }
            if (!connection.paused) {
                return;
            }
            if (connection.running > 0) {
                connection.resumeWhenIdle = true; // what runs may yet be what the pause is for
                return;
            }
            connection.paused = false;
            connection.resumeWhenIdle = false;
            enterTurns(connection);
        }
        drain();
    }

    /** Resumes {@code connection} at once, whatever runs (it is closed: what waits must run and end). */
    void resume(Tenant connection) {
        synchronized (lock) {
            connection.paused = false;
            connection.resumeWhenIdle = false;
            enterTurns(connection);
        }
        drain();
    }

    /** Requests running on the executor now. */
    int running() {
        synchronized (lock) {
            return running;
        }
    }

    private void submit(Tenant connection, Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    done(connection);
                    drain();
                }
            });
        } catch (RejectedExecutionException e) {
            done(connection);
            rejected.accept(task);
        }
    }

    private void done(Tenant connection) {
        synchronized (lock) {
            running--;
            connection.running--;
            if (connection.resumeWhenIdle && connection.running == 0) {
                connection.paused = false;
                connection.resumeWhenIdle = false;
            }
            enterTurns(connection);
        }
    }

    /** Starts ready tasks while permits are free; one loop per thread, however tasks end. */
    private void drain() {
        int[] state = DRAINING.get(); // [0]: a loop runs in this thread; [1]: look again
        if (state[0] != 0) {
            state[1] = 1;
            return;
        }
        state[0] = 1;
        try {
            do {
                state[1] = 0;
                Tenant[] whose = new Tenant[1];
                Runnable task;
                while ((task = next(whose)) != null) {
                    submit(whose[0], task);
                }
            } while (state[1] != 0);
        } finally {
            state[0] = 0;
        }
    }

    /** Takes a permit and the next connection's first task, or returns null. */
    private Runnable next(Tenant[] whose) {
        synchronized (lock) {
            while (running < permits && !turns.isEmpty()) {
                Tenant c = turns.poll();
                c.inTurns = false;
                if (c.ready.isEmpty() || c.running >= share || c.paused) {
                    continue; // it comes back when one of its tasks ends
                }
                Runnable task = c.ready.poll();
                running++;
                c.running++;
                enterTurns(c); // the back of the line for its next one
                whose[0] = c;
                return task;
            }
            return null;
        }
    }
}
