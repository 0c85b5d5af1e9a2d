package dev.hermod.internal.dispatch;

import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.reference.ObjectTable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The serving side of one connection: the peer's requests being dispatched, the lane its oneway
 * requests and batches run in, and whether this side still accepts requests. Made by the
 * connection, used by {@link Dispatch} and its {@link Invocation}s. Thread-safe.
 */
public final class Inbound {
    final Link link;
    final ObjectTable objects;
    /** Runs when the last request in dispatch is answered. */
    private final Runnable onIdle;
    /** Requests of this connection being dispatched. */
    final AtomicInteger dispatching = new AtomicInteger();
    /** Oneway requests of this connection run one at a time, in arrival order. */
    volatile SerialExecutor lane;
    /** Requests being dispatched, by request id, so a CANCEL frame can reach them. */
    final ConcurrentHashMap<Integer, Invocation> invocations = new ConcurrentHashMap<>();
    /** This side sent GOAWAY: refuse new requests. */
    private volatile boolean goingAway;

    /**
     * @param link the connection's link: requests arrive and replies leave there
     * @param objects the objects exported on the connection, and references received on it
     * @param onIdle runs each time no request of the connection is in dispatch any more
     */
    public Inbound(Link link, ObjectTable objects, Runnable onIdle) {
        this.link = link;
        this.objects = objects;
        this.onIdle = onIdle;
    }

    /** Requests of this connection being dispatched now. */
    public int inFlight() {
        return dispatching.get();
    }

    /** Whether this side has said it accepts no new requests here. */
    public boolean isGoingAway() {
        return goingAway;
    }

    /** Accepts no new requests from now on; returns false if that was already so. */
    public boolean goAway() {
        if (goingAway) {
            return false;
        }
        goingAway = true;
        return true;
    }

    /** The connection closed: nobody is left to answer, so the work in dispatch stops. */
    public void cancelAll() {
        for (Invocation inv : invocations.values()) {
            inv.cancel();
        }
    }

    /** An incoming request has been answered; returns how many remain. */
    int dispatched() {
        int left = dispatching.decrementAndGet();
        if (left == 0) {
            onIdle.run();
        }
        return left;
    }
}
