package dev.hermod.internal.transport;

import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.EndpointStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One endpoint of a client and its pool of connections, as {@link Replicas} sees it: whether it
 * may take calls (its pool not backing off, no connection of it going away, not removed by the
 * resolver), how many it has outstanding and how fast it answered lately. Thread-safe.
 */
public final class Replica<C extends ConnectionPool.Member> {
    private volatile Endpoint endpoint;
    private ConnectionPool<C> pool;
    /** Connections whose server said it is going away (GOAWAY), until they close. */
    private final Set<C> goingAway = ConcurrentHashMap.newKeySet();
    /** The resolver removed it: it drains and leaves. */
    private volatile boolean removed;
    /** Moving average of reply times, in nanoseconds; 0 before the first. */
    private final AtomicLong latency = new AtomicLong();
    /** Smooth weighted round-robin's running weight; guarded by the {@link Balancer}. */
    long currentWeight;

    Replica(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    void pool(ConnectionPool<C> pool) {
        this.pool = pool;
    }

    /** The endpoint, as last reported. */
    public Endpoint endpoint() {
        return endpoint;
    }

    void endpoint(Endpoint e) {
        this.endpoint = e;
    }

    /** Its connections. */
    public ConnectionPool<C> pool() {
        return pool;
    }

    void remove() {
        removed = true;
    }

    boolean isRemoved() {
        return removed;
    }

    /** {@code connection} of this endpoint was told its server is going away: no new calls here. */
    public void goingAway(C connection) {
        goingAway.add(connection);
    }

    /** {@code connection} of this endpoint closed. */
    public void closed(C connection) {
        goingAway.remove(connection);
    }

    /** Whether it gets no new calls because its server or the resolver made it leave. */
    boolean isDraining() {
        return removed || !goingAway.isEmpty();
    }

    /** Whether a new call may be given to it now. */
    boolean isAvailable() {
        return !isDraining() && pool.isAvailable();
    }

    /** A reply came {@code nanos} after its request was sent. */
    public void replied(long nanos) {
        long n = Math.max(1, nanos);
        // an exponentially weighted average over about the last 8 replies; a lost race loses one sample
        long old = latency.get(); // one attempt, no lambda: a reply costs no object here
        latency.compareAndSet(old, old == 0 ? n : old + (n - old) / 8);
    }

    EndpointStatus status() {
        EndpointStatus.State state;
        if (isDraining()) {
            state = EndpointStatus.State.DRAINING;
        } else {
            state = switch (pool.health()) {
                case IDLE -> EndpointStatus.State.IDLE;
                case CONNECTING -> EndpointStatus.State.CONNECTING;
                case READY -> EndpointStatus.State.READY;
                case BACKING_OFF -> EndpointStatus.State.UNREACHABLE;
            };
        }
        long l = latency.get();
        return new EndpointStatus(endpoint, state, pool.outstanding(),
                l == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(l)));
    }

    @Override
    public String toString() {
        return endpoint.address();
    }
}
