package dev.hermod.internal.transport;

import dev.hermod.ConnectionException;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.EndpointStatus;
import dev.hermod.resolve.LoadBalancing;
import dev.hermod.resolve.NameResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's endpoints: the live set its {@link NameResolver} reports, one {@link ConnectionPool}
 * per endpoint, and the choice of the pool for each call ({@link Balancer}).
 *
 * <p>A call goes to the endpoint the policy picks among those available; if that endpoint's
 * pool cannot give it a connection (the connection attempt failed: nothing was sent), it goes to
 * another, until none is left, and then fails with an unprocessed {@code UNAVAILABLE} failure
 * naming the target. An endpoint whose connection attempt failed is ejected while its pool backs
 * off, and tried again by a call after that; one whose server sent GOAWAY gets no new calls until
 * those connections have closed; one the resolver removed drains (its calls finish) and leaves.
 * Oneway calls, batches and sticky proxies keep to one endpoint ({@link Affinity}) while it is
 * available. With one endpoint all of this steps aside: its pool alone decides, as it did before
 * there were several.
 *
 * <p>Knows nothing of calls: a member of a pool is anything with a count of outstanding calls.
 * Thread-safe.
 */
public final class Replicas<C extends ConnectionPool.Member> implements NameResolver.Listener {
    private static final Logger log = LoggerFactory.getLogger(Replicas.class);
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOPPED = 2;

    /** Where a group of calls that must stay together goes: the endpoint they keep to while it is available. */
    public static final class Affinity<C extends ConnectionPool.Member> {
        private volatile Replica<C> home;
        /** Hands the group's oneway calls and batches their connections in the order they were made. */
        private final InOrder<C> order = new InOrder<>();
    }

    private final String target;
    private final NameResolver resolver;
    private final Balancer balancer;
    private final Function<Replica<C>, ConnectionPool<C>> pools;
    private final Runnable onTerminated;
    private final AtomicBoolean started = new AtomicBoolean();
    /** The endpoints now, in the resolver's order; null until the first report. */
    private volatile List<Replica<C>> live;
    /** Pools not terminated yet: those of live endpoints and of removed ones still draining. */
    private final Set<ConnectionPool<C>> open = ConcurrentHashMap.newKeySet();
    /** Endpoints the resolver removed whose calls have not all finished. */
    private final Set<Replica<C>> leaving = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean resolverClosed = new AtomicBoolean();
    /** Completes at the first report, set or error; calls before it wait for it. */
    private final CompletableFuture<Void> firstReport = new CompletableFuture<>();
    /** The last resolution error, while no set was ever reported. */
    private volatile Throwable resolutionError;
    private final Affinity<C> ordered = new Affinity<>();
    private volatile int state = RUNNING;

    /**
     * @param target the client's target, for messages
     * @param resolver reports the endpoints; started at the first call, closed at shutdown
     * @param pools makes the pool of a new endpoint; it must run {@link #terminated} when the pool has terminated
     * @param onTerminated runs once every pool has terminated after a shutdown; may run more than once
     */
    public Replicas(String target, NameResolver resolver, LoadBalancing policy,
            Function<Replica<C>, ConnectionPool<C>> pools, Runnable onTerminated) {
        this.target = target;
        this.resolver = resolver;
        this.balancer = new Balancer(policy);
        this.pools = pools;
        this.onTerminated = onTerminated;
    }

    /** A new group of calls that keep to one endpoint. */
    public Affinity<C> newAffinity() {
        return new Affinity<>();
    }

    /** Starts the resolver, once, before the first call. */
    private void start() {
        if (state == RUNNING && !started.get() && started.compareAndSet(false, true)) {
            try {
                resolver.start(this);
            } catch (RuntimeException e) {
                onError(e);
            }
        }
    }

    /** Asks the resolver for a new resolution; a resolver that throws is logged, not propagated. */
    public void refresh() {
        if (state != RUNNING || !started.get()) {
            return;
        }
        try {
            resolver.refresh();
        } catch (RuntimeException e) {
            log.warn("the resolver of {} failed to refresh", target, e);
        }
    }

    @Override
    public void onEndpoints(List<Endpoint> endpoints) {
        List<Replica<C>> gone = new ArrayList<>();
        synchronized (this) {
            if (state != RUNNING) {
                return;
            }
            Map<String, Replica<C>> known = new LinkedHashMap<>();
            if (live != null) {
                for (Replica<C> r : live) {
                    known.put(r.endpoint().address(), r);
                }
            }
            Map<String, Replica<C>> now = new LinkedHashMap<>();
            for (Endpoint e : endpoints) {
                Replica<C> r = now.get(e.address());
                if (r == null) {
                    r = known.remove(e.address());
                }
                if (r == null) {
                    r = new Replica<>(e);
                    ConnectionPool<C> pool = pools.apply(r);
                    r.pool(pool);
                    open.add(pool);
                } else {
                    r.endpoint(e);
                }
                now.put(e.address(), r);
            }
            gone.addAll(known.values());
            leaving.addAll(gone);
            live = List.copyOf(now.values());
            resolutionError = null;
        }
        for (Replica<C> r : gone) {
            r.remove();
            r.pool().shutdown(); // its calls finish; then it terminates and leaves
        }
        firstReport.complete(null);
    }

    @Override
    public void onError(Throwable error) {
        if (live == null) {
            resolutionError = error;
            firstReport.complete(null);
        }
        log.debug("resolving {} failed: {}", target, error.toString());
    }

    /** A pool has terminated: after the client's shutdown, or after its endpoint was removed. */
    public void terminated(ConnectionPool<C> pool) {
        open.remove(pool);
        leaving.removeIf(r -> r.pool() == pool);
        if (state != RUNNING && open.isEmpty()) {
            onTerminated.run();
        }
    }

    /** The endpoints now, for {@code Client.endpoints()}: live ones, then removed ones still draining. */
    public List<EndpointStatus> statuses() {
        start();
        List<EndpointStatus> all = new ArrayList<>();
        List<Replica<C>> now = live == null ? List.of() : live;
        for (Replica<C> r : now) {
            all.add(r.status());
        }
        for (Replica<C> r : leaving) {
            all.add(r.status());
        }
        return all;
    }

    /** The open connections of every endpoint. */
    public List<C> members() {
        List<C> all = new ArrayList<>();
        List<Replica<C>> now = live;
        if (now != null) {
            for (Replica<C> r : now) {
                all.addAll(r.pool().members());
            }
        }
        for (Replica<C> r : leaving) {
            all.addAll(r.pool().members());
        }
        return all;
    }

    /** The calls waiting for a connection, over every endpoint. */
    public int waitingCalls() {
        int n = 0;
        List<Replica<C>> now = live;
        if (now != null) {
            for (Replica<C> r : now) {
                n += r.pool().waitingCalls();
            }
        }
        return n;
    }

    /** Whether calls may still start: no shutdown has begun. */
    public boolean isRunning() {
        return state == RUNNING;
    }

    /** The connection for one more call: on the endpoint the policy picks ({@link ConnectionPool#acquire()}). */
    public CompletableFuture<C> acquire() {
        return route(null, false, null, null);
    }

    /**
     * The connection for one more call of a group that keeps to one endpoint: oneway requests and
     * batches ({@code affinity} null: the client's own group), whose order the connection keeps
     * ({@code ordered}), or a sticky proxy's calls.
     */
    public CompletableFuture<C> acquire(Affinity<C> affinity, boolean inOrder) {
        Affinity<C> group = affinity == null ? ordered : affinity;
        CompletableFuture<C> c = route(group, inOrder, null, null);
        return inOrder ? group.order.after(c) : c;
    }

    private CompletableFuture<C> route(Affinity<C> affinity, boolean inOrder, List<Replica<C>> tried, Throwable last) {
        if (state != RUNNING) {
            return CompletableFuture.failedFuture(closed());
        }
        List<Replica<C>> now = live;
        if (now == null) {
            start();
            if (!firstReport.isDone()) {
                return firstReport.thenCompose(x -> route(affinity, inOrder, tried, last));
            }
            now = live;
            if (now == null) {
                refresh();
                return CompletableFuture.failedFuture(Failures.connection("cannot resolve " + target + ": "
                        + resolutionError.getMessage(), resolutionError, true));
            }
        }
        if (now.size() == 1 && !now.get(0).isRemoved()) {
            ConnectionPool<C> only = now.get(0).pool(); // one endpoint: its pool alone decides
            return inOrder ? only.ordered() : only.acquire();
        }
        probe(now);
        Replica<C> r = affinity == null ? null : affinity.home;
        if (r == null || r.isRemoved() || !r.isAvailable() || tried != null && tried.contains(r)) {
            r = balancer.pick(now, tried);
            if (r == null) {
                return CompletableFuture.failedFuture(noneAvailable(now, last));
            }
            if (affinity != null) {
                affinity.home = r;
            }
        }
        Replica<C> picked = r;
        CompletableFuture<C> c = inOrder ? r.pool().ordered() : r.pool().acquire();
        if (c.isDone() && !c.isCompletedExceptionally()) {
            return c;
        }
        return c.handle((conn, failure) -> failure == null ? CompletableFuture.completedFuture(conn)
                : failover(affinity, inOrder, tried, picked, unwrap(failure))).thenCompose(f -> f);
    }

    /**
     * Now and then, connects in the background to the endpoints that may take calls but have no
     * connection: calls go to those with one, and an endpoint that went away is tried again
     * without a call waiting for it.
     */
    private void probe(List<Replica<C>> now) {
        long t = System.nanoTime();
        if (t - lastProbe < PROBE_INTERVAL_NANOS) {
            return;
        }
        lastProbe = t;
        for (Replica<C> r : now) {
            if (!r.isDraining() && !r.pool().isReady()) {
                r.pool().probe();
            }
        }
    }

    private static final long PROBE_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);
    private volatile long lastProbe = System.nanoTime() - PROBE_INTERVAL_NANOS;

    /** The endpoint could not give a connection: if nothing was sent, the call tries another. */
    private CompletableFuture<C> failover(Affinity<C> affinity, boolean inOrder, List<Replica<C>> tried,
            Replica<C> failed, Throwable why) {
        if (state != RUNNING || !(why instanceof RpcException r && r.isUnprocessed())) {
            return CompletableFuture.failedFuture(why);
        }
        refresh();
        List<Replica<C>> next = new ArrayList<>(tried == null ? List.of() : tried);
        next.add(failed);
        return route(affinity, inOrder, next, why);
    }

    /** The failure of a call no endpoint can take. */
    private ConnectionException noneAvailable(List<Replica<C>> now, Throwable last) {
        if (now.isEmpty()) {
            refresh();
            return Failures.connection(target + " has no endpoints: its resolver reported none", last, true);
        }
        StringBuilder why = new StringBuilder(target).append(": no endpoint can take the call (");
        for (int i = 0; i < now.size(); i++) {
            EndpointStatus s = now.get(i).status();
            why.append(i == 0 ? "" : ", ").append(s.endpoint().address()).append(' ')
                    .append(s.state().name().toLowerCase(java.util.Locale.ROOT));
        }
        why.append(')');
        if (last != null) {
            why.append("; last: ").append(last.getMessage());
        }
        return Failures.connection(why.toString(), last, true);
    }

    /**
     * How long a call that found no connection should wait before asking again: 0 when an
     * endpoint may take it now; else the shortest wait of an endpoint whose server may be
     * restarting ({@link ConnectionPool#nanosUntilRetry()}); -1 when none is worth waiting for.
     */
    public long nanosUntilRetry() {
        if (state != RUNNING) {
            return -1;
        }
        List<Replica<C>> now = live;
        if (now == null) {
            return firstReport.isDone() ? -1 : 0;
        }
        if (now.size() == 1) {
            return now.get(0).pool().nanosUntilRetry();
        }
        long best = -1;
        for (Replica<C> r : now) {
            if (r.isDraining()) {
                continue;
            }
            long n = r.pool().nanosUntilRetry();
            if (n == 0) {
                return 0;
            }
            if (n > 0 && (best < 0 || n < best)) {
                best = n;
            }
        }
        return best;
    }

    /** Begins a graceful shutdown: no new calls; every endpoint's connections close once their calls are answered. */
    public void shutdown() {
        if (!stop(SHUTDOWN)) {
            return;
        }
        for (ConnectionPool<C> p : List.copyOf(open)) {
            p.shutdown();
        }
        terminatedIfEmpty();
    }

    /** Closes every connection now: waiting and outstanding calls fail. */
    public void shutdownNow() {
        if (!stop(STOPPED)) {
            return;
        }
        for (ConnectionPool<C> p : List.copyOf(open)) {
            p.shutdownNow();
        }
        terminatedIfEmpty();
    }

    private boolean stop(int to) {
        synchronized (this) {
            if (state >= to) {
                return false;
            }
            state = to;
        }
        firstReport.complete(null); // calls waiting for it fail: the client is closed
        if (started.get() && resolverClosed.compareAndSet(false, true)) {
            try {
                resolver.close();
            } catch (RuntimeException e) {
                log.warn("the resolver of {} failed to close", target, e);
            }
        }
        return true;
    }

    private void terminatedIfEmpty() {
        if (open.isEmpty()) {
            onTerminated.run();
        }
    }

    private ConnectionException closed() {
        return Failures.connection("the client for " + target + " was closed", null, false);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
