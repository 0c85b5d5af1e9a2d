package dev.hermod.internal.transport;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

/**
 * Hands out the connections of one ordered group of calls (oneway calls and batches, which the
 * server runs in the order they arrive) in the order they were asked for, whatever order the
 * connections become ready in.
 *
 * <p>A call that waits for its connection sends from a callback on the future it was given. Had
 * every waiting call its callback on one pending future, {@link CompletableFuture} would run the
 * callbacks last registered first, and the calls made while the connection opened would leave in
 * reverse. Here each waiting call gets a future of its own, and these complete one after another,
 * oldest first, each once the connection it waited for is there; a call's callback, registered
 * before that, runs (and sends) before the next one's future completes. A call asked for while
 * none waits and whose connection is ready gets that connection's future itself, at no cost.
 *
 * <p>Thread-safe. Calls made by different threads at once have no order to keep; calls made by one
 * thread leave in the order it made them.
 */
public final class InOrder<C> {
    private final ArrayDeque<Waiting<C>> queue = new ArrayDeque<>();
    /** A thread is completing the waiting futures. Guarded by this. */
    private boolean draining;
    /** Some call waits or is being handed its connection: a later one must wait behind it. */
    private volatile boolean busy;

    private record Waiting<C>(CompletableFuture<C> source, Handed<C> handed) {}

    /**
     * The future of a call that waits in line. Canceled, it leaves the line: a call refused
     * while it waited for its connection (too many wait) leaves no trace, however many are.
     */
    private static final class Handed<C> extends CompletableFuture<C> {
        private final InOrder<C> line;
        private Waiting<C> waiting;

        Handed(InOrder<C> line) {
            this.line = line;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean canceled = super.cancel(mayInterruptIfRunning);
            if (canceled) {
                line.leave(waiting);
            }
            return canceled;
        }
    }

    /**
     * Gives up the connection a call was handed, unused: if it waits in a line, it leaves it
     * (and the lines below it); a connection's own future is left alone.
     */
    public static void abandon(CompletableFuture<?> handed) {
        if (handed instanceof Handed<?>) {
            handed.cancel(false);
        }
    }

    /**
     * Returns the future a call of the group sends from: {@code source}, the connection picked
     * for it, if nothing waits before it and it is ready; otherwise a future that completes as
     * {@code source} does, after those of the calls asked for before it.
     */
    CompletableFuture<C> after(CompletableFuture<C> source) {
        if (!busy && source.isDone()) {
            return source;
        }
        Waiting<C> w;
        boolean watched;
        synchronized (this) {
            if (queue.isEmpty() && !draining && source.isDone()) {
                return source;
            }
            Waiting<C> last = queue.peekLast();
            watched = last != null && last.source() == source; // its callback, still to come, drains this one too
            Handed<C> handed = new Handed<>(this);
            w = new Waiting<>(source, handed);
            handed.waiting = w;
            queue.add(w);
            busy = true;
        }
        if (source.isDone()) {
            drain(); // here, in the caller's thread, unless another is draining
        } else if (!watched) {
            source.whenComplete((c, failure) -> drain()); // one callback per connection awaited, not per call
        }
        return w.handed();
    }

    /** A call gave up its place; the one a caller just took is found at once, from the end. */
    private void leave(Waiting<C> w) {
        synchronized (this) {
            queue.removeLastOccurrence(w);
            busy = draining || !queue.isEmpty();
        }
        abandon(w.source()); // its place in the line below, if it waits there too
        drain(); // it may have been the one the others waited behind
    }

    /**
     * Completes the waiting futures, oldest first, while the oldest one's connection is there.
     * A thread drains what waited when it began, and a little more: calls made meanwhile by a
     * thread faster than the sends could otherwise keep it here for good, an I/O thread above
     * all (the one that opened the connection), which would then never write what it sent. What
     * is left is drained by the next call made, in its own thread, or else on the common pool.
     */
    private void drain() {
        int budget;
        synchronized (this) {
            if (draining) {
                return; // the thread draining sees this source done when it comes to it
            }
            draining = true;
            budget = queue.size() + SLACK;
        }
        while (true) {
            Waiting<C> w;
            synchronized (this) {
                w = queue.peek();
                if (w == null || !w.source().isDone() || budget-- == 0) {
                    draining = false;
                    busy = !queue.isEmpty();
                    if (w != null && w.source().isDone()) {
                        break; // more to drain, by someone else
                    }
                    return;
                }
                queue.poll();
            }
            C connection;
            try {
                connection = w.source().join();
            } catch (RuntimeException failure) {
                w.handed().completeExceptionally(failure.getCause() != null ? failure.getCause() : failure);
                continue;
            }
            w.handed().complete(connection); // runs the call's send, if it waits already
        }
        ForkJoinPool.commonPool().execute(this::drain);
    }

    /** How many calls more than were waiting when it began one thread drains. */
    private static final int SLACK = 64;
}
