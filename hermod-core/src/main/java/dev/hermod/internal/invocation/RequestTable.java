package dev.hermod.internal.invocation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection's calls that wait for a reply, by request id. Ids are handed out in order,
 * skipping 0 (which no request carries) and, once the counter has wrapped around, any id still
 * taken by a call that waits that long.
 *
 * <p>Thread-safe: callers add their calls from their own threads; replies, deadlines, cancels
 * and the connection's close remove them from others. Public only for the {@code hermod-jmh}
 * benchmark of the table.
 *
 * @param <T> what waits (a call)
 */
public final class RequestTable<T> {
    private final ConcurrentHashMap<Integer, T> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();

    /** Adds {@code call} under the next free id, which it returns. */
    public int add(T call) {
        while (true) {
            int id = nextId.incrementAndGet();
            if (id != 0 && waiting.putIfAbsent(id, call) == null) {
                return id;
            }
        }
    }

    /** The call waiting under {@code id}, or null. */
    public T get(int id) {
        return waiting.get(id);
    }

    /** Removes and returns the call waiting under {@code id}, or null. */
    public T remove(int id) {
        return waiting.remove(id);
    }

    /** Removes {@code call} if it still waits under {@code id}; returns whether it did. */
    public boolean remove(int id, T call) {
        return waiting.remove(id, call);
    }

    /** How many calls wait. */
    public int size() {
        return waiting.size();
    }

    /** Whether no call waits. */
    public boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** The calls waiting now, in no particular order. */
    public List<T> snapshot() {
        return List.copyOf(waiting.values());
    }

    /**
     * Removes every call and returns them, in no particular order. Each is removed on its own: a
     * call added meanwhile is either returned here or left in the table for its adder to find,
     * never cleared away unseen by both.
     */
    public List<T> takeAll() {
        List<T> all = new ArrayList<>();
        for (var e : waiting.entrySet()) {
            if (waiting.remove(e.getKey(), e.getValue())) {
                all.add(e.getValue());
            }
        }
        return all;
    }
}
