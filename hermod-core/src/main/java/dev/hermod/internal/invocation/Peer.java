package dev.hermod.internal.invocation;

import dev.hermod.Client;
import dev.hermod.internal.contract.Contracts;
import dev.hermod.internal.dispatch.SerialExecutor;
import dev.hermod.internal.reference.ObjectTable;
import dev.hermod.internal.reference.ReferenceCounts;
import io.netty.util.Timer;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * What the connections of one client or one server share: the contracts they have read, the
 * deadline timer, the executor that runs callbacks, and the defaults of the calls made over them.
 * Calls through object references received on a connection use these; so a server calls a
 * client's object with the same machinery a client uses to call the server.
 *
 * <p>Also counts the objects exported and the references held over all its connections, so leaks
 * can be seen. Thread-safe; owned and released by the client or server that made it.
 */
public final class Peer {
    private final Contracts contracts;
    private final Timer timer;
    private final Deadlines deadlines;
    private final Executor callbacks;
    private final Executor sentLane;
    private final Duration callTimeout;
    private final Client client;
    private final int batchFlushSize;
    private final dev.hermod.internal.contract.Operation releaseOperation;
    private final ReferenceCounts references = new ReferenceCounts();
    /** What calls waiting for a connection hold (see {@link #reserveWaiting}), and its limit. */
    private final java.util.concurrent.atomic.AtomicLong waitingBytes = new java.util.concurrent.atomic.AtomicLong();
    private final long maxWaitingBytes;
    private final SpinWait spinWait;
    private final boolean directCallbacks;
    /** Set once, before the peer makes calls. */
    private java.util.List<dev.hermod.intercept.ClientInterceptor> clientInterceptors = java.util.List.of();

    /**
     * @param client the client this peer belongs to, or null for a server
     * @param callTimeout the deadline of calls whose options set none
     */
    public Peer(Contracts contracts, Timer timer, Executor callbacks, Duration callTimeout, Client client,
            int batchFlushSize) {
        this(contracts, timer, callbacks, callTimeout, client, batchFlushSize, Long.MAX_VALUE, 0, false);
    }

    /**
     * @param maxWaitingBytes how much asynchronous calls waiting for a connection (one being
     *     opened, or one with room) may hold, counted as the connection's backlog counts them
     * @param spinNanos how long a thread waiting for an outcome may spin before it parks
     *     ({@link SpinWait}); 0 for never
     * @param directCallbacks whether a reply read on an I/O thread completes its result there
     *     ({@link #directCallbacks()})
     */
    public Peer(Contracts contracts, Timer timer, Executor callbacks, Duration callTimeout, Client client,
            int batchFlushSize, long maxWaitingBytes, long spinNanos, boolean directCallbacks) {
        this.maxWaitingBytes = maxWaitingBytes;
        this.directCallbacks = directCallbacks;
        this.spinWait = spinNanos == 0 ? SpinWait.NEVER : new SpinWait(spinNanos);
        this.contracts = contracts;
        this.timer = timer;
        this.deadlines = new Deadlines(timer);
        this.callbacks = callbacks;
        this.sentLane = SerialExecutor.orRunHere(callbacks);
        this.callTimeout = callTimeout;
        this.client = client;
        this.batchFlushSize = batchFlushSize;
        this.releaseOperation = contracts.get(ObjectTable.Control.class).operation(ObjectTable.RELEASE);
    }

    /** The operation that releases a reference, with this side's codec. */
    dev.hermod.internal.contract.Operation releaseOperation() {
        return releaseOperation;
    }

    /** The interceptors that see the calls made here, in order; empty for none. */
    public java.util.List<dev.hermod.intercept.ClientInterceptor> clientInterceptors() {
        return clientInterceptors;
    }

    /** Sets the interceptors; call once, before the peer makes calls. */
    public void intercept(java.util.List<dev.hermod.intercept.ClientInterceptor> interceptors) {
        this.clientInterceptors = java.util.List.copyOf(interceptors);
    }

    public Contracts contracts() {
        return contracts;
    }

    public Timer timer() {
        return timer;
    }

    /** Arms the deadlines of this peer's calls that outlive a tick of the {@linkplain #timer timer}. */
    Deadlines deadlines() {
        return deadlines;
    }

    /** Runs user callbacks of results; never an I/O thread. */
    public Executor callbacks() {
        return callbacks;
    }

    /**
     * Whether a reply read on an I/O thread completes its result there, running the callbacks
     * registered by then and the dependent stages, instead of on {@link #callbacks()}
     * ({@code Client.Builder.directCallbacks()}).
     */
    boolean directCallbacks() {
        return directCallbacks;
    }

    /** Runs sent callbacks one at a time, in the order requests were written. */
    public Executor sentLane() {
        return sentLane;
    }

    /** How threads waiting for the outcomes of this peer's calls wait before they park. */
    SpinWait spinWait() {
        return spinWait;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    /** The client this peer belongs to, or null for a server. */
    public Client client() {
        return client;
    }

    public int batchFlushSize() {
        return batchFlushSize;
    }

    /**
     * Counts {@code bytes} for a call about to wait for a connection; returns false, counting
     * nothing, if {@code mayRefuse} and that would pass the limit.
     */
    boolean reserveWaiting(long bytes, boolean mayRefuse) {
        long after = waitingBytes.addAndGet(bytes);
        if (mayRefuse && after > maxWaitingBytes) {
            waitingBytes.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /** The failure of an asynchronous call refused because calls waiting for a connection hold too much. */
    dev.hermod.RpcException waitingRefusal(String call, String target) {
        return dev.hermod.internal.bridge.Failures.rpc(dev.hermod.Status.RESOURCE_EXHAUSTED, "cannot start " + call
                + ": calls waiting for a connection to " + target + " already hold " + waitingBytes() + " bytes (limit "
                + maxWaitingBytes + ", counting " + RpcConnection.QUEUED_CALL_COST + " per call); send fewer at a time",
                null, true);
    }

    void releaseWaiting(long bytes) {
        waitingBytes.addAndGet(-bytes);
    }

    long waitingBytes() {
        return waitingBytes.get();
    }

    long maxWaitingBytes() {
        return maxWaitingBytes;
    }

    /** Where the object tables of this side's connections count exports and references. */
    ReferenceCounts references() {
        return references;
    }

    /** Objects this side has exported and that are still served, over all its connections. */
    public int exportedObjects() {
        return references.exported();
    }

    /** References to the peers' objects this side holds and has not released, over all its connections. */
    public int importedReferences() {
        return references.imported();
    }
}
