package dev.hermod.internal.transport;

import dev.hermod.ConnectionException;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The connections of one client to its server, and their growth: hands each call the open
 * connection with the fewest calls outstanding, opens connections up to {@code connections} to
 * spread calls over and beyond that, up to {@code maxConnections}, while every one is at its cap
 * of outstanding calls; a call that finds no room waits in line for a reply to free a slot or a
 * new connection to open. Oneway requests and batches keep to one connection while it is usable
 * ({@link #ordered()}), so that the server receives them in order.
 *
 * <p>Also the connections' lifecycle: a graceful {@link #shutdown()} lets each connection close
 * once its calls are answered; {@link #shutdownNow()} closes them at once. {@code onTerminated}
 * runs when no connection is left.
 *
 * <p>Knows nothing of calls or frames: a member is anything with a count of outstanding calls.
 * Thread-safe.
 */
public final class ConnectionPool<C extends ConnectionPool.Member> {
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOPPED = 2;

    /** A connection of the pool. */
    public interface Member {
        /** Whether new calls may be started on it. */
        boolean isUsable();

        /** Calls waiting for a reply on it. */
        int pendingCalls();

        /** Starts no new calls on it, and closes it once its calls have their replies. */
        void closeWhenIdle();

        /** Closes it now; its calls fail with {@code cause}. */
        void close(RpcException cause);
    }

    /** How many connections, and how many calls each. */
    public record Limits(int connections, int maxConnections, int maxOutstandingPerConnection) {}

    private final String target;
    private final Limits limits;
    /** Opens one more connection: completes once it is ready for calls, or fails with why not. */
    private final Supplier<CompletableFuture<C>> opener;
    private final Runnable onTerminated;
    private final Object lock = new Object();
    private final Set<C> members = ConcurrentHashMap.newKeySet();
    /** Connections being opened. Guarded by lock. */
    private int opening;
    /** Calls waiting for a connection with room, in arrival order. */
    private final ConcurrentLinkedQueue<CompletableFuture<C>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pumping = new AtomicBoolean();
    /** Where oneway requests and batches go while it is usable; see {@link #ordered()}. */
    private volatile C orderedHome;
    private volatile int state = RUNNING;

    /**
     * @param target where the connections go, for messages
     * @param opener opens one more connection
     * @param onTerminated runs once no connection is left after a shutdown; may run more than once
     */
    public ConnectionPool(String target, Limits limits, Supplier<CompletableFuture<C>> opener,
            Runnable onTerminated) {
        this.target = target;
        this.limits = limits;
        this.opener = opener;
        this.onTerminated = onTerminated;
    }

    /** Whether calls may still start: no shutdown has begun. */
    public boolean isRunning() {
        return state == RUNNING;
    }

    /** The open connections. */
    public List<C> members() {
        return List.copyOf(members);
    }

    /**
     * The connection for oneway requests and batches: the same one as long as it is usable, so
     * that the server receives them in the order they were sent even when calls are spread
     * over several connections.
     */
    public CompletableFuture<C> ordered() {
        C home = orderedHome;
        if (home != null && home.isUsable()) {
            return CompletableFuture.completedFuture(home);
        }
        return acquire().thenApply(this::home);
    }

    private synchronized C home(C candidate) {
        C home = orderedHome;
        if (home != null && home.isUsable()) {
            return home;
        }
        orderedHome = candidate;
        return candidate;
    }

    /**
     * Chooses the connection for one more call: the open connection with the fewest calls
     * outstanding and below the per-connection cap. Opens connections as needed: up to
     * {@code connections} to spread calls over, and beyond that up to {@code maxConnections}
     * while every connection is at its cap. When none can take the call, it waits in line
     * ({@link #pump}) for a reply to free a slot or a new connection to open.
     */
    public CompletableFuture<C> acquire() {
        CompletableFuture<C> waiter;
        boolean openOne;
        synchronized (lock) {
            C best = leastLoaded();
            int total = usableCount() + opening;
            boolean full = !canTake(best);
            openOne = total < limits.connections()
                    || (full && total < limits.maxConnections())
                    || (best == null && opening == 0);
            if (openOne) {
                opening++;
            }
            if (!full && waiting.isEmpty()) {
                if (openOne) {
                    open();
                }
                return CompletableFuture.completedFuture(best);
            }
            waiter = new CompletableFuture<>();
            waiting.add(waiter);
        }
        if (openOne) {
            open(); // outside the lock: a connect that fails at once completes here
        } else {
            pump();
        }
        return waiter;
    }

    private C leastLoaded() {
        C best = null;
        for (C c : members) {
            if (c.isUsable() && (best == null || c.pendingCalls() < best.pendingCalls())) {
                best = c;
            }
        }
        return best;
    }

    private int usableCount() {
        int n = 0;
        for (C c : members) {
            if (c.isUsable()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether {@code c} should take one more call now. A busy connection leaves calls to the ones
     * being opened, so that calls spread over the pool from the start. Called under lock.
     */
    private boolean canTake(C c) {
        return c != null && !isFull(c) && (opening == 0 || c.pendingCalls() == 0);
    }

    private boolean isFull(C c) {
        return limits.maxOutstandingPerConnection() > 0
                && c.pendingCalls() >= limits.maxOutstandingPerConnection();
    }

    /**
     * Hands waiting calls to connections with room, one at a time, in the order they came.
     * Runs after a reply frees a slot and after a connection opens.
     */
    private void pump() {
        if (waiting.isEmpty() || !pumping.compareAndSet(false, true)) {
            return;
        }
        try {
            while (true) {
                CompletableFuture<C> next;
                C conn;
                synchronized (lock) {
                    conn = leastLoaded();
                    if (!canTake(conn) || waiting.isEmpty()) {
                        break;
                    }
                    next = waiting.poll();
                }
                next.complete(conn); // sends the call here, so the next round sees it counted
            }
        } finally {
            pumping.set(false);
        }
        boolean more;
        synchronized (lock) {
            more = !waiting.isEmpty() && canTake(leastLoaded());
        }
        if (more) {
            pump(); // a slot freed while this pump was finishing
        } else {
            closeWhenDone();
        }
    }

    /** Opens one more connection; {@code opening} was already counted. */
    private void open() {
        opener.get().whenComplete((conn, failure) -> {
            List<CompletableFuture<C>> failed = List.of();
            synchronized (lock) {
                opening--;
                if (failure == null && state != STOPPED) {
                    members.add(conn);
                } else if (usableCount() == 0 && opening == 0) {
                    // Nothing else will serve the calls waiting in line: they fail with this.
                    failed = new ArrayList<>(waiting);
                    waiting.clear();
                }
            }
            if (failure == null && state == STOPPED) {
                conn.close(closedError());
            }
            Throwable why = failure != null ? unwrap(failure) : closedError();
            for (CompletableFuture<C> w : failed) {
                w.completeExceptionally(why);
            }
            pump();
        });
    }

    /** A call on {@code connection} has its outcome: its slot is free for a waiting call. */
    public void onCallDone(C connection) {
        if (!waiting.isEmpty()) {
            pump();
        }
    }

    /** {@code connection} closed: it leaves the pool, and waiting calls get another one. */
    public void onClosed(C connection) {
        members.remove(connection);
        if (!waiting.isEmpty() && state != STOPPED) {
            // The waiting calls need a connection that is not there any more: open one.
            boolean openOne;
            synchronized (lock) {
                openOne = usableCount() + opening == 0;
                if (openOne) {
                    opening++;
                }
            }
            if (openOne) {
                open();
            }
        }
        closeWhenDone();
    }

    private ConnectionException closedError() {
        return Failures.connection("the client for " + target + " was closed", null, false);
    }

    /** Begins a graceful shutdown: no new calls; connections close once their calls are answered. */
    public void shutdown() {
        synchronized (lock) {
            if (state != RUNNING) {
                return;
            }
            state = SHUTDOWN;
        }
        closeWhenDone();
    }

    /**
     * During a graceful shutdown: once no call waits for a connection, lets every connection
     * close as soon as its calls are answered.
     */
    private void closeWhenDone() {
        if (state != SHUTDOWN || !waiting.isEmpty()) {
            return;
        }
        for (C c : List.copyOf(members)) {
            c.closeWhenIdle();
        }
        if (members.isEmpty() && opening == 0) {
            onTerminated.run();
        }
    }

    /** Closes every connection now: waiting and outstanding calls fail. */
    public void shutdownNow() {
        List<CompletableFuture<C>> stranded;
        synchronized (lock) {
            if (state == STOPPED) {
                return;
            }
            state = STOPPED;
            stranded = new ArrayList<>(waiting);
            waiting.clear();
        }
        ConnectionException closed = closedError();
        for (CompletableFuture<C> w : stranded) {
            w.completeExceptionally(closed);
        }
        for (C c : new ArrayList<>(members)) {
            c.close(closed);
        }
        onTerminated.run();
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
