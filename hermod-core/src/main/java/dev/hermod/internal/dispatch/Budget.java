package dev.hermod.internal.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What all the connections of one server (or client) hold against its {@link Limits}: request
 * bytes and unwritten reply bytes. A connection held back because the whole is full waits here
 * and is told to look again once it is not. Thread-safe.
 *
 * <p>Request bytes are a {@link LongAdder}: every request changes them, from the I/O threads and
 * the dispatch threads at once, and their sum is read only when a large request is decoded or a
 * connection waits. Reply bytes are an {@link AtomicLong}: every reply reads their sum two or
 * three times ({@link Replies} looks whether the server is full after each change), and the sum
 * of an adder that has met contention reads a cache line per cell, each written by another
 * thread.
 */
final class Budget {
    private final Limits limits;
    private final LongAdder requestBytes = new LongAdder();
    private final AtomicLong replyBytes = new AtomicLong();
    private final Set<Inbound> waiting = ConcurrentHashMap.newKeySet();

    Budget(Limits limits) {
        this.limits = limits;
    }

    long requestBytes() {
        return requestBytes.sum();
    }

    long replyBytes() {
        return replyBytes.get();
    }

    boolean requestsFull() {
        return requestBytes.sum() >= limits.maxRequestBytes();
    }

    boolean repliesFull() {
        return replyBytes.get() >= limits.maxReplyBytes();
    }

    void addRequestBytes(long n) {
        requestBytes.add(n);
    }

    void releaseRequestBytes(long n) {
        requestBytes.add(-n);
        if (!waiting.isEmpty() && !requestsFull()) {
            wake();
        }
    }

    void addReplyBytes(long n) {
        replyBytes.getAndAdd(n);
    }

    void releaseReplyBytes(long n) {
        replyBytes.getAndAdd(-n);
        if (!waiting.isEmpty() && !repliesFull()) {
            wake();
        }
    }

    /**
     * Has {@code connection} told when there is room again. The caller looks once more after
     * this, so that room made just before cannot be missed. (A connection may be woken when
     * there is room for one limit and not the other: it looks, and waits again.)
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
