package dev.hermod.internal.transport;

import dev.hermod.ConnectionException;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

// One file, longer than most: choosing, growing, backing off and draining share one lock and one
// waiting line; split, each would need the others' state.
/**
 * The connections of one client to its server, and their growth: hands each call the open
 * connection with the fewest calls outstanding, opens connections up to {@code connections} to
 * spread calls over and beyond that, up to {@code maxConnections}, while every one is at its cap
 * of outstanding calls; a call that finds no room waits in line for a reply to free a slot or a
 * new connection to open. It also adapts: when even the least loaded connection stays busy
 * ({@code busyAt} calls outstanding) for a while, it opens one more in the background while calls
 * go on, keeps it only if calls then complete faster ({@link Growth}), and a connection beyond
 * {@code connections} closes after a quiet period unused. Oneway requests and batches keep to one connection while it is usable
 * ({@link #ordered()}), so that the server receives them in order.
 *
 * <p>Reconnects with backoff: after a connection attempt fails, the next one waits for
 * {@link Backoff}'s delay, and meanwhile a call that finds no open connection fails at once with
 * an unprocessed {@code UNAVAILABLE} failure ({@link #acquire()}) instead of paying a connect
 * timeout of its own; the first call after the delay tries again. A multi-endpoint client keeps one
 * pool per endpoint, each with its own backoff ({@link #nanosUntilRetry()} says when it is worth
 * asking again).
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

        /** Whether it has closed: the pool has been told ({@link ConnectionPool#onClosed}), or is being told. */
        boolean isClosed();

        /** Starts no new calls on it, and closes it once its calls have their replies. */
        void closeWhenIdle();

        /** Closes it now; its calls fail with {@code cause}. */
        void close(RpcException cause);

        /** Closes it gracefully once it has been unused for {@code quietNanos}: it is an extra connection. */
        default void closeWhenQuiet(long quietNanos) {}

        /**
         * This member as a completed future, which {@link #acquire()} returns when it can take the
         * call at once. A member may make it once and return it each time, so that a call finding
         * a connection costs no object; nobody completes or obtrudes what {@code acquire} returns.
         */
        default CompletableFuture<? extends Member> asFuture() {
            return CompletableFuture.completedFuture(this);
        }
    }

    /**
     * How many connections, and how many calls each.
     *
     * @param connections the connections calls are spread over from the start
     * @param maxConnections the most connections, opened while every one is at its cap or busy
     * @param maxOutstandingPerConnection a hard cap on one connection's outstanding calls; 0: none
     * @param busyAt outstanding calls at which the least loaded connection counts as busy, so that
     *     one more is opened in the background; 0: the pool never grows for busy connections
     * @param quietNanos how long a connection beyond {@code connections} may go unused before it is
     *     closed; 0: never
     */
    public record Limits(int connections, int maxConnections, int maxOutstandingPerConnection, int busyAt,
            long quietNanos) {}

    /** Learns about connection attempts. Called on whatever thread decides; must not block. */
    public interface Watcher {
        /** Attempt number {@code attempt} (1 after a success or at first) is starting. */
        default void connecting(int attempt) {}

        /** Attempt {@code attempt} failed; the next one waits at least {@code retryInNanos}. */
        default void connectFailed(int attempt, Throwable cause, long retryInNanos) {}
    }

    private final String target;
    private final Limits limits;
    /** Opens one more connection: completes once it is ready for calls, or fails with why not. */
    private final Supplier<CompletableFuture<C>> opener;
    private final Runnable onTerminated;
    private final Object lock = new Object();
    /**
     * The open connections. Copy-on-write: every call reads it (twice, to choose), and it changes
     * only when a connection opens or closes; a hash set's iterator walks its whole table.
     */
    private final Set<C> members = new CopyOnWriteArraySet<>();
    /** Connections being opened. Guarded by lock. */
    private int opening;
    /** Calls waiting for a connection with room, in arrival order. */
    private final ConcurrentLinkedQueue<CompletableFuture<C>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pumping = new AtomicBoolean();
    /**
     * Calls the pump has taken off the line and is handing their connection: their requests are
     * not registered yet, so {@link Member#pendingCalls()} does not count them. A call that comes
     * meanwhile waits in line rather than take a slot one of them is about to fill. Guarded by lock.
     */
    private int handing;
    /** Where oneway requests and batches go while it is usable; see {@link #ordered()}. */
    private volatile C orderedHome;
    /** While there is no usable {@link #orderedHome}: the connection the callers of {@link #ordered()} wait for. Guarded by this. */
    private CompletableFuture<C> homing;
    /** Hands the callers of {@link #ordered()} their connection in the order they asked. */
    private final InOrder<C> order = new InOrder<>();
    private volatile int state = RUNNING;
    private final Backoff backoff;
    private final Watcher watcher;
    /** Connection attempts that failed in a row since the last one that succeeded. Guarded by lock. */
    private int failures;
    /** Attempts started since the last success, for the watcher. Guarded by lock. */
    private int attempts;
    /** While {@code failures > 0}: when the next attempt may start, in {@link System#nanoTime()} terms. */
    private long retryAt;
    /** Why the last attempt failed. Guarded by lock. */
    private Throwable lastFailure;
    /** Calls handed a connection so far. Guarded by lock. */
    private long started;
    /** Judges whether growing for load pays off. Guarded by lock. */
    private final Growth<C> growth;
    /** A connection attempt succeeded once: the server was there. Guarded by lock. */
    private boolean everConnected;
    /** While {@code failures > 0}: when the first of them failed. Guarded by lock. */
    private long downSince;
    /** How long after the server was lost calls may wait for it to come back. */
    private final long restartWaitNanos;
    /**
     * Runs, when set, on the thread opening a connection, with the attempt, after the opener
     * returned it and before the pool attaches its callback: tests hold that thread there, so that
     * the connection opens (and closes) before the pool hears of it. Null otherwise.
     */
    static volatile Consumer<CompletableFuture<?>> beforeAttach;

    /**
     * @param target where the connections go, for messages
     * @param opener opens one more connection
     * @param onTerminated runs once no connection is left after a shutdown; may run more than once
     * @param backoff how long to wait between failed connection attempts
     * @param watcher learns about connection attempts
     */
    public ConnectionPool(String target, Limits limits, Supplier<CompletableFuture<C>> opener,
            Runnable onTerminated, Backoff backoff, Watcher watcher, java.time.Duration restartWait) {
        this.restartWaitNanos = TimeUnit.NANOSECONDS.convert(restartWait);
        this.target = target;
        this.growth = Growth.standard(this::completed, target);
        this.limits = limits;
        this.opener = opener;
        this.onTerminated = onTerminated;
        this.backoff = backoff;
        this.watcher = watcher;
    }

    /**
     * How long a call that found no connection should wait before asking again: 0 when a
     * connection is open or may be attempted now; the rest of the backoff while the server, once
     * reached, has been unreachable for less than {@code restartWait} (it may be restarting);
     * -1 when it is not worth waiting: the pool is shut down, or the server was never reached, or
     * has been gone for longer.
     */
    public long nanosUntilRetry() {
        synchronized (lock) {
            if (state != RUNNING) {
                return -1;
            }
            if (failures == 0 || usableCount() > 0 || opening > 0) {
                return 0;
            }
            long now = System.nanoTime();
            long left = downSince + restartWaitNanos - now;
            if (!everConnected || left <= 0) {
                return -1; // never reached, or gone for longer than a restart takes: fail now
            }
            return Math.min(Math.max(0, retryAt - now), left);
        }
    }

    /**
     * Under lock: whether a call must fail at once because the server is unreachable: no usable
     * connection, none being opened, and the backoff after failed attempts has not passed.
     */
    private boolean inBackoff() {
        return failures > 0 && opening == 0 && usableCount() == 0 && retryAt - System.nanoTime() > 0;
    }

    /** Under lock: the failure of a call refused while the server is unreachable. */
    private ConnectionException unreachable() {
        long ms = TimeUnit.NANOSECONDS.toMillis(Math.max(0, retryAt - System.nanoTime()));
        String last = lastFailure == null ? "" : "; last: " + lastFailure.getMessage();
        return Failures.connection(target + " is unreachable: " + failures + " connection attempt"
                + (failures == 1 ? "" : "s") + " failed in a row" + last + "; the next may start in " + ms
                + " ms", lastFailure, true);
    }

    /** Whether calls may still start: no shutdown has begun. */
    public boolean isRunning() {
        return state == RUNNING;
    }

    /** The calls waiting for a connection with room now. */
    public int waitingCalls() {
        return waiting.size();
    }

    /** Where the pool stands, for a client with several endpoints to choose among them. */
    public enum Health {
        /** No connection open or being opened, and none failed: the next call opens one. */
        IDLE,
        /** A connection is being opened, none is usable. */
        CONNECTING,
        /** A connection is usable. */
        READY,
        /** The last connection attempt failed; until its backoff has passed, calls fail at once. */
        BACKING_OFF
    }

    /** Where the pool stands now. */
    public Health health() {
        synchronized (lock) {
            return usableCount() > 0 ? Health.READY : opening > 0 ? Health.CONNECTING
                    : failures > 0 ? Health.BACKING_OFF : Health.IDLE;
        }
    }

    /** Whether a call may be given to this pool now: running, and not backing off after a failed attempt. */
    public boolean isAvailable() {
        synchronized (lock) {
            return state == RUNNING && !inBackoff();
        }
    }

    /** Whether a connection is usable now. Takes no lock. */
    public boolean isReady() {
        for (C c : members) {
            if (c.isUsable()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Opens a connection in the background if none is open or being opened and the backoff
     * allows: so that an endpoint becomes ready without a call waiting for it, or shows it is
     * still unreachable.
     */
    public void probe() {
        synchronized (lock) {
            if (state != RUNNING || opening > 0 || usableCount() > 0 || inBackoff()) {
                return;
            }
            opening++;
        }
        open();
    }

    /** The calls outstanding on the pool's connections, and those waiting for one. */
    public int outstanding() {
        int n = waiting.size();
        for (C c : members) {
            n += c.pendingCalls();
        }
        return n;
    }

    /** The open connections. */
    public List<C> members() {
        return List.copyOf(members);
    }

    /**
     * The connection for oneway requests and batches: the same one as long as it is usable, so
     * that the server receives them in the order they were sent even when calls are spread
     * over several connections. While there is none, the callers wait for one connection
     * together, and are handed it in the order they asked ({@link InOrder}); so are the callers
     * that come while they are handed it.
     */
    public CompletableFuture<C> ordered() {
        return order.after(home());
    }

    /** The ordered home's future, or that of the connection the callers without one wait for. */
    private CompletableFuture<C> home() {
        C home = orderedHome;
        if (home != null && home.isUsable()) {
            return future(home);
        }
        CompletableFuture<C> next;
        synchronized (this) {
            home = orderedHome;
            if (home != null && home.isUsable()) {
                return future(home);
            }
            if (homing != null) {
                return homing;
            }
            next = homing = new CompletableFuture<>();
        }
        acquire().whenComplete((candidate, failure) -> {
            C chosen = null;
            synchronized (this) {
                homing = null;
                if (failure == null) {
                    C now = orderedHome;
                    chosen = now != null && now.isUsable() ? now : candidate;
                    orderedHome = chosen;
                }
            }
            if (failure != null) {
                next.completeExceptionally(failure);
            } else {
                next.complete(chosen);
            }
        });
        return next;
    }

    @SuppressWarnings("unchecked") // as in acquire()
    private static <C extends Member> CompletableFuture<C> future(C member) {
        return (CompletableFuture<C>) member.asFuture();
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
        C giveBack;
        synchronized (lock) {
            if (inBackoff()) {
                return CompletableFuture.failedFuture(unreachable());
            }
            C best = leastLoaded();
            int total = usableCount() + opening;
            boolean full = !canTake(best);
            openOne = total < limits.connections()
                    || (full && limits.maxOutstandingPerConnection() > 0 && total < limits.maxConnections())
                    || (best == null && opening == 0)
                    || shouldGrow(best);
            if (openOne) {
                opening++;
            }
            if (!full && waiting.isEmpty() && handing == 0) {
                if (openOne) {
                    open();
                }
                giveBack = growth.judge();
                if (giveBack == null) {
                    started++;
                    @SuppressWarnings("unchecked") // a member's own future holds that member, a C
                    CompletableFuture<C> ready = (CompletableFuture<C>) best.asFuture();
                    return ready;
                }
                waiter = null;
            } else {
                giveBack = null;
                waiter = new CompletableFuture<>();
                waiting.add(waiter);
            }
        }
        if (giveBack != null) { // this call was not counted: it is handed no connection yet
            giveBack(giveBack);
            return acquire(); // once: the trial is over; the connection given back takes no call
        }
        if (openOne) {
            open(); // outside the lock: a connect that fails at once completes here
        } else {
            pump();
        }
        return waiter;
    }

    /**
     * Under lock: the usable connection with the fewest calls outstanding, leaving out a connection
     * on trial while the trial wants it to take no calls ({@link Growth#parked()}) unless it is the
     * only one.
     */
    private C leastLoaded() {
        C parked = growth.parked();
        C best = null;
        C spare = null;
        for (C c : members) {
            if (!c.isUsable()) {
                continue;
            }
            if (c == parked) {
                spare = c;
            } else if (best == null || c.pendingCalls() < best.pendingCalls()) {
                best = c;
            }
        }
        return best != null ? best : spare;
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
        return c != null && !isFull(c) && (opening == 0 || c.pendingCalls() == 0 || usableCount() >= limits.connections());
    }

    /**
     * Whether {@code c}, the least loaded connection, is busy enough that one more connection
     * should be opened beside it, without holding any call for it (the pool adapts): it has
     * {@code busyAt} calls outstanding. Requests held back by its flow control do not count: they
     * say the server reads slower than the client sends, and more connections would only let the
     * client send more. Called under lock.
     */
    private boolean isBusy(C c) {
        return c != null && limits.busyAt() > 0 && c.pendingCalls() >= limits.busyAt();
    }

    /**
     * Under lock: whether to open one more connection because {@code best}, the least loaded, is
     * busy, and has been for a while ({@link Growth#busy}).
     */
    private boolean shouldGrow(C best) {
        if (!isBusy(best)) { // first: it is false for nearly every call, and cheapest
            growth.calm();
            return false;
        }
        return state == RUNNING && opening == 0 && usableCount() < limits.maxConnections() && !recentlyFailed()
                && growth.busy();
    }

    /** Under lock: the calls that have had their outcome (or left the pool) so far. */
    private long completed() {
        return started - outstanding();
    }

    /**
     * Gives back a connection opened for load that did not make calls complete faster
     * ({@link Growth#judge}): it takes no more calls, and closes once its calls are answered. The
     * connection for oneway requests and batches stays, so that their order holds: another goes.
     */
    private void giveBack(C judged) {
        C chosen = judged;
        C home = orderedHome;
        if (chosen == home || !chosen.isUsable()) {
            chosen = null;
            for (C c : members) {
                if (c != home && c.isUsable()) {
                    chosen = c;
                    break;
                }
            }
        }
        if (chosen == null || members.size() <= limits.connections()) {
            return;
        }
        chosen.closeWhenIdle();
    }

    /** Under lock: the last connection attempt failed and its backoff has not passed. */
    private boolean recentlyFailed() {
        return failures > 0 && retryAt - System.nanoTime() > 0;
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
                    handing++;
                    started++;
                }
                try {
                    next.complete(conn); // sends the call here, so the next round sees it counted
                } finally {
                    synchronized (lock) {
                        handing--;
                    }
                }
            }
        } finally {
            pumping.set(false);
        }
        boolean more;
        boolean grow = false;
        C giveBack;
        synchronized (lock) {
            giveBack = growth.judge();
            C best = leastLoaded();
            more = !waiting.isEmpty() && canTake(best);
            if (!more && shouldGrow(best)) { // calls that waited for a connection may have made it busy
                grow = true;
                opening++;
            }
        }
        if (giveBack != null) {
            giveBack(giveBack);
        }
        if (grow) {
            open();
        }
        if (more) {
            pump(); // a slot freed while this pump was finishing
        } else {
            closeWhenDone();
        }
    }

    /** Opens one more connection; {@code opening} was already counted. */
    private void open() {
        int attempt;
        synchronized (lock) {
            attempt = ++attempts;
        }
        watcher.connecting(attempt);
        CompletableFuture<C> opened = opener.get();
        Consumer<CompletableFuture<?>> hook = beforeAttach;
        if (hook != null) {
            hook.accept(opened);
        }
        opened.whenComplete((conn, failure) -> {
            List<CompletableFuture<C>> failed = List.of();
            long retryIn = 0;
            synchronized (lock) {
                opening--;
                if (failure == null) {
                    everConnected = true;
                    failures = 0;
                    attempts = 0;
                    lastFailure = null;
                } else if (state == RUNNING) {
                    if (failures++ == 0) {
                        downSince = System.nanoTime();
                    }
                    lastFailure = unwrap(failure);
                    retryIn = backoff.delayNanos(failures);
                    retryAt = System.nanoTime() + retryIn;
                }
                if (failure == null) {
                    growth.opened(conn);
                } else {
                    growth.openFailed();
                }
                if (failure == null && state != STOPPED) {
                    members.add(conn);
                    if (limits.quietNanos() > 0 && members.size() > limits.connections()) {
                        conn.closeWhenQuiet(limits.quietNanos());
                    }
                } else if (usableCount() == 0 && opening == 0) {
                    // Nothing else will serve the calls waiting in line: they fail with this.
                    failed = new ArrayList<>(waiting);
                    waiting.clear();
                }
            }
            if (failure == null && state == STOPPED) {
                conn.close(closedError());
            }
            if (failure == null && conn.isClosed()) {
                // It may have closed before this callback was attached: onClosed then found no
                // such member and opened nothing for the waiting calls while this attempt counted.
                // Closed is set before onClosed runs, so such a close is seen here; run twice, it
                // does no harm.
                onClosed(conn);
            }
            Throwable why = failure != null ? unwrap(failure) : closedError();
            if (failure != null && state == RUNNING) {
                watcher.connectFailed(attempt, why, retryIn);
            }
            for (CompletableFuture<C> w : failed) {
                w.completeExceptionally(why);
            }
            pump();
            // During a graceful shutdown the attempt's end may be the last event: the calls that
            // waited for it were failed above (pump then has nothing to do), or the connection
            // it opened has nothing to carry and must close.
            closeWhenDone();
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
        synchronized (lock) {
            growth.closed(connection);
        }
        if (!waiting.isEmpty() && state != STOPPED) {
            // The waiting calls need a connection that is not there any more: open one.
            boolean openOne;
            List<CompletableFuture<C>> refused = List.of();
            ConnectionException why = null;
            synchronized (lock) {
                openOne = usableCount() + opening == 0 && !inBackoff();
                if (openOne) {
                    opening++;
                } else if (usableCount() + opening == 0) {
                    why = unreachable();
                    refused = new ArrayList<>(waiting);
                    waiting.clear();
                }
            }
            if (openOne) {
                open();
            }
            for (CompletableFuture<C> w : refused) {
                w.completeExceptionally(why);
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
        boolean done;
        synchronized (lock) {
            done = members.isEmpty() && opening == 0;
        }
        if (done) {
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
