package dev.hermod.internal.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The server's memory of the {@code @Deduplicated} calls it ran (issue 14 item 7): by call id,
 * the call still running, or the reply it made, kept for a bounded window. A call sent again
 * with an id it knows does not run again: it gets the reply the first run made, at once or when
 * that run ends.
 *
 * <p>Bounds: a reply is kept {@code window} after its call ended; at most {@code maxReplies}
 * replies and {@code maxBytes} bytes of them are kept, the oldest dropped first when more come
 * (then, and only then, a call sent again after its reply was dropped would run again: the
 * caller sizes the window to outlast its retries, and {@link #evictedEarly()} counts such
 * drops). Calls still running are never dropped. A reply larger than a tenth of
 * {@code maxBytes} is not kept: a call sent again after it ended runs again. Kept in memory
 * only: a server that restarts has forgotten every call. Thread-safe.
 */
final class Deduplication {
    private final long windowNanos;
    private final int maxReplies;
    private final long maxBytes;
    private final LongSupplier clock;
    /** Running calls, by key. Guarded by this. */
    private final Map<String, Entry> running = new HashMap<>();
    /** Ended calls and their replies, oldest first. Guarded by this. */
    private final LinkedHashMap<String, Entry> ended = new LinkedHashMap<>();
    private long bytes;
    private long evictedEarly;
    private long replayed;

    Deduplication(Duration window, int maxReplies, long maxBytes, LongSupplier clock) {
        this.windowNanos = window.toNanos();
        this.maxReplies = maxReplies;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /** A call known by its id: running (no reply yet) or ended (with the reply it made). */
    static final class Entry {
        final String key;
        /** The cache this entry is in. */
        final Deduplication owner;
        /** The whole REPLY frame the call made, length prefix included; null while it runs. */
        private byte[] reply;
        private long endedAt;
        /** Calls sent again while this one ran, waiting for its reply. Guarded by the cache. */
        private List<Consumer<byte[]>> waiters;

        Entry(String key, Deduplication owner) {
            this.key = key;
            this.owner = owner;
        }
    }

    /**
     * Claims {@code key} for a call about to run and returns its entry, to be {@linkplain #ended
     * ended} when the call has its reply; or, if a call with that key ran or runs, returns null
     * and has {@code replay} receive that call's reply (now, or when it ends).
     */
    Entry claim(String key, Consumer<byte[]> replay) {
        Entry found;
        synchronized (this) {
            expire();
            found = running.get(key);
            if (found != null) {
                if (found.waiters == null) {
                    found.waiters = new ArrayList<>(1);
                }
                found.waiters.add(replay);
                replayed++;
                return null;
            }
            found = ended.get(key);
            if (found == null) {
                Entry claimed = new Entry(key, this);
                running.put(key, claimed);
                return claimed;
            }
            replayed++;
        }
        replay.accept(found.reply); // set once, before the entry was kept
        return null;
    }

    /**
     * The call of {@code entry} ended with {@code reply} (a whole REPLY frame): it is kept for
     * the window if it ran ({@code ran}), and handed to the calls waiting for it either way. A
     * call that never ran (refused before its servant was called) is forgotten, so that the same
     * call sent again runs.
     */
    void ended(Entry entry, byte[] reply, boolean ran) {
        List<Consumer<byte[]>> waiters;
        synchronized (this) {
            running.remove(entry.key);
            waiters = entry.waiters;
            entry.waiters = null;
            if (ran && reply.length <= maxBytes / 10) {
                entry.reply = reply;
                entry.endedAt = clock.getAsLong();
                ended.put(entry.key, entry);
                bytes += reply.length;
                evict();
            }
        }
        if (waiters != null) {
            for (Consumer<byte[]> w : waiters) {
                w.accept(reply);
            }
        }
    }

    /** Drops replies past the window. Guarded by this. */
    private void expire() {
        long now = clock.getAsLong();
        for (Iterator<Entry> it = ended.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (now - e.endedAt < windowNanos) {
                return; // the rest are younger
            }
            it.remove();
            bytes -= e.reply.length;
        }
    }

    /** Drops the oldest replies while more are kept than the bounds allow. Guarded by this. */
    private void evict() {
        expire();
        for (Iterator<Entry> it = ended.values().iterator(); it.hasNext()
                && (ended.size() > maxReplies || bytes > maxBytes); ) {
            Entry e = it.next();
            it.remove();
            bytes -= e.reply.length;
            evictedEarly++;
        }
    }

    /** Replies kept now. */
    synchronized int size() {
        return ended.size();
    }

    /** Bytes of replies kept now. */
    synchronized long bytes() {
        return bytes;
    }

    /** Replies dropped before their window ended, to keep within the bounds. */
    synchronized long evictedEarly() {
        return evictedEarly;
    }

    /** Calls answered from memory instead of running again. */
    synchronized long replayed() {
        return replayed;
    }
}
