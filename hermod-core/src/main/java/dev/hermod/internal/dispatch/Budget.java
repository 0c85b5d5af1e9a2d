package dev.hermod.internal.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What all the connections of one server (or client) hold against its {@link Limits}: request
 * bytes and unwritten reply bytes. A connection held back because the whole is full waits here
 * and is told to look again once it is not. Thread-safe.
 */
final class Budget {
    private final Limits limits;
    private final AtomicLong requestBytes = new AtomicLong();
    private final AtomicLong replyBytes = new AtomicLong();
    private final Set<Inbound> waiting = ConcurrentHashMap.newKeySet();

    Budget(Limits limits) {
        this.limits = limits;
    }

    long requestBytes() {
        return requestBytes.get();
    }

    long replyBytes() {
        return replyBytes.get();
    }

    boolean requestsFull() {
        return requestBytes.get() >= limits.maxRequestBytes();
    }

    boolean repliesFull() {
        return replyBytes.get() >= limits.maxReplyBytes();
    }

    void addRequestBytes(long n) {
        requestBytes.addAndGet(n);
    }

    void releaseRequestBytes(long n) {
        long after = requestBytes.addAndGet(-n);
        if (after < limits.maxRequestBytes() && after + n >= limits.maxRequestBytes()) {
            wake();
        }
    }

    void addReplyBytes(long n) {
        replyBytes.addAndGet(n);
    }

    void releaseReplyBytes(long n) {
        long after = replyBytes.addAndGet(-n);
        if (after < limits.maxReplyBytes() && after + n >= limits.maxReplyBytes()) {
            wake();
        }
    }

    /**
     * Has {@code connection} told when there is room again. The caller looks once more after
     * this, so that room made just before cannot be missed.
     */
    void await(Inbound connection) {
        waiting.add(connection);
    }

    void forget(Inbound connection) {
        waiting.remove(connection);
    }

    private void wake() {
        for (Inbound c : waiting) {
            if (waiting.remove(c)) {
                c.reconsiderLater();
            }
        }
    }
}
