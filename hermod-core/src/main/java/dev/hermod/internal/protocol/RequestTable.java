package dev.hermod.internal.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A connection's requests by id: on the calling side the calls that wait for a reply, on the
 * serving side the requests being served. A calling side has the table hand out its ids
 * ({@link #add}): in order, skipping 0 (which no request carries) and, once the counter has
 * wrapped around, any id still taken by a call that waits that long. A serving side files each
 * request under the id its peer gave it ({@link #put}); the two are not mixed in one table.
 *
 * <p>Consecutive ids take consecutive slots of a fixed array ({@value #SLOTS} of them by
 * default), so that adding and removing a call costs one compare-and-set on its slot: no boxed
 * key, no hash map node, no lock, no counter shared by the adding and the removing threads (in
 * hermod-bench's {@code throughput}, the {@link ConcurrentHashMap} this replaced took 5% of the
 * calling thread and 9% of the client's I/O thread). A call whose slot is still taken (more calls
 * waiting than there are slots, or one that waits very long, or a peer's ids that collide) goes
 * to a {@link ConcurrentHashMap} instead. Each slot holds an entry made for that one addition, so
 * a removal by id never takes a later addition of the same call.
 *
 * <p>Thread-safe: callers add their calls from their own threads; replies, deadlines, cancels
 * and the connection's close remove them from others.
 *
 * @param <T> what waits (a call, a request being served)
 */
public final class RequestTable<T> {
    /** How many calls the array holds by default; a power of two. */
    public static final int SLOTS = 1024;
    /** Indexes into {@link #counts}, far enough apart to be on cache lines of their own. */
    private static final int ADDED = 0;
    private static final int REMOVED = 16;

    private final AtomicReferenceArray<Entry<T>> slots;
    private final int mask;
    private final ConcurrentHashMap<Integer, T> overflow = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    /** Additions and removals so far: the adding threads write one, the removing threads the other. */
    private final AtomicLongArray counts = new AtomicLongArray(REMOVED + 1);

    /**
     * One addition: the id and what waits under it. A request filed once, under the one id its
     * peer gave it, may be its own entry ({@link #put(Entry)}): one object less per request. An
     * object made for one addition, that would otherwise be made beside the entry, may be the
     * entry of what waits ({@link #add(Entry)}): one object less per call. Its id is set once,
     * before the entry is published to other threads; immutable after.
     *
     * @param <T> what waits
     */
    public static class Entry<T> {
        /** Set before the entry is in the table (by {@link #add(Entry)}, for an entry made without one). */
        int id;
        final T call;

        private Entry(int id, T call) {
            this.id = id;
            this.call = call;
        }

        /** Makes the request being constructed, of class {@code T}, its own entry under {@code id}. */
        @SuppressWarnings("unchecked")
        protected Entry(int id) {
            this.id = id;
            this.call = (T) this;
        }

        /** An entry for {@code call}, to be {@linkplain #add(Entry) added} under the next free id. */
        protected Entry(T call) {
            this.call = call;
        }

        /** The id the entry is filed under; 0 before it is added. */
        public final int id() {
            return id;
        }

        /** What waits under the entry's id. */
        public final T call() {
            return call;
        }
    }

    /** A table of {@value #SLOTS} slots. */
    public RequestTable() {
        this(SLOTS);
    }

    /**
     * A table of {@code slots} slots, a power of two: requests beyond that many (or whose ids
     * share a slot) cost more, but are kept all the same.
     */
    public RequestTable(int slots) {
        if (slots <= 0 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.mask = slots - 1;
    }

    /** Adds {@code call} under the next free id, which it returns. */
    public int add(T call) {
        return add(new Entry<>(0, call));
    }

    /**
     * Adds the entry's call under the next free id, which it returns and sets as the entry's
     * {@linkplain Entry#id id}. The entry must not have been added before.
     */
    public int add(Entry<T> entry) {
        T call = entry.call;
        while (true) {
            int id = nextId.incrementAndGet();
            if (id == 0) {
                continue;
            }
            Entry<T> there = slots.get(id & mask);
            if (there == null) {
                if (overflow.isEmpty() || !overflow.containsKey(id)) { // else taken since the last wrap
                    entry.id = id; // published by the compare-and-set
                    if (slots.compareAndSet(id & mask, null, entry)) {
                        counts.getAndIncrement(ADDED);
                        return id;
                    }
                    there = slots.get(id & mask); // taken meanwhile, by an id one or more wraps of the slots away
                }
            }
            if (there != null && there.id != id && overflow.putIfAbsent(id, call) == null) {
                entry.id = id;
                counts.getAndIncrement(ADDED);
                return id;
            }
        }
    }

    /** For tests: sets the id counter as a wrap-around would leave it, {@code lastId} being the last id given. */
    void restartIdsAt(int lastId) {
        nextId.set(lastId);
    }

    /**
     * Files {@code request} under {@code id}, chosen by the peer, in place of any request filed
     * under it before. Called by one thread at a time (the connection's I/O thread); removals
     * may come from others.
     */
    public void put(int id, T request) {
        put(new Entry<>(id, request));
    }

    /** As {@link #put(int, Object)}, for a request that is its own entry. */
    public void put(Entry<T> entry) {
        int id = entry.id;
        T request = entry.call;
        while (true) {
            Entry<T> there = slots.get(id & mask);
            if (there != null && there.id == id) {
                if (slots.compareAndSet(id & mask, there, entry)) {
                    return;
                }
            } else if (there == null && (overflow.isEmpty() || !overflow.containsKey(id))) {
                if (slots.compareAndSet(id & mask, null, entry)) {
                    counts.getAndIncrement(ADDED);
                    return;
                }
            } else {
                if (overflow.put(id, request) == null) {
                    counts.getAndIncrement(ADDED);
                }
                return;
            }
        }
    }

    /** Whether a request is filed under {@code id}. */
    public boolean containsKey(int id) {
        return get(id) != null;
    }

    /** The call waiting under {@code id}, or null. */
    public T get(int id) {
        Entry<T> e = slots.get(id & mask);
        if (e != null && e.id == id) {
            return e.call;
        }
        return overflow.isEmpty() ? null : overflow.get(id);
    }

    /** Removes and returns the call waiting under {@code id}, or null. */
    public T remove(int id) {
        Entry<T> e = slots.get(id & mask);
        if (e != null && e.id == id) {
            if (slots.compareAndSet(id & mask, e, null)) {
                counts.getAndIncrement(REMOVED);
                return e.call;
            }
            return null; // removed meanwhile by another thread
        }
        T call = overflow.isEmpty() ? null : overflow.remove(id);
        if (call != null) {
            counts.getAndIncrement(REMOVED);
        }
        return call;
    }

    /** Removes {@code call} if it still waits under {@code id}; returns whether it did. */
    public boolean remove(int id, T call) {
        Entry<T> e = slots.get(id & mask);
        if (e != null && e.id == id) {
            if (e.call.equals(call) && slots.compareAndSet(id & mask, e, null)) {
                counts.getAndIncrement(REMOVED);
                return true;
            }
            return false;
        }
        if (!overflow.isEmpty() && overflow.remove(id, call)) {
            counts.getAndIncrement(REMOVED);
            return true;
        }
        return false;
    }

    /**
     * How many calls wait: exact when no call is being added or removed, and otherwise off by at
     * most the additions and removals under way.
     */
    public int size() {
        long removed = counts.get(REMOVED); // read first: the result is never below the truth by more than those under way
        return (int) Math.max(0, counts.get(ADDED) - removed);
    }

    /** Whether no call waits (as {@link #size}). */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** The calls waiting now, in no particular order. */
    public List<T> snapshot() {
        List<T> all = new ArrayList<>();
        for (int i = 0; i < slots.length(); i++) {
            Entry<T> e = slots.get(i);
            if (e != null) {
                all.add(e.call);
            }
        }
        all.addAll(overflow.values());
        return all;
    }

    /**
     * Removes every call and returns them, in no particular order. Each is removed on its own: a
     * call added meanwhile is either returned here or left in the table for its adder to find,
     * never cleared away unseen by both.
     */
    public List<T> takeAll() {
        List<T> all = new ArrayList<>();
        for (int i = 0; i < slots.length(); i++) {
            Entry<T> e = slots.get(i);
            if (e != null && slots.compareAndSet(i, e, null)) {
                counts.getAndIncrement(REMOVED);
                all.add(e.call);
            }
        }
        for (var e : overflow.entrySet()) {
            if (overflow.remove(e.getKey(), e.getValue())) {
                counts.getAndIncrement(REMOVED);
                all.add(e.getValue());
            }
        }
        return all;
    }
}
