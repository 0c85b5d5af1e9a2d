package dev.hermod.internal.dispatch;

import dev.hermod.internal.protocol.Frames;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Promise pipelining on one connection's serving side (PROTOCOL.md section 28): a request for the
 * service {@code ^k} runs on the object that the result of the peer's request {@code k} references,
 * as soon as that result exists. A request that arrives while {@code k} is still running waits
 * here (holding its frame, which counts against the connection's limits as any frame read does)
 * and is dispatched as a request for {@code @n} once {@code k} answers with object {@code n}; one
 * that arrives later finds what {@code k} resolved to among the last {@value #REMEMBERED} results
 * that were references. Requests whose {@code k} failed, answered something else, or is unknown
 * are refused as {@code OBJECT_NOT_FOUND}, unprocessed.
 *
 * <p>Thread-safe: requests arrive on the I/O thread, results are settled on dispatch threads.
 */
final class Pipelines {
    /** How many results that were references a connection remembers for late pipelined requests. */
    static final int REMEMBERED = 1024;

    /** A request waiting for the result it was pipelined on. */
    record Parked(Frames.RequestHeader header, ByteBuf body, boolean compressed, HeldFrame frame, long received) {}

    /** Request k's answer, and the requests that waited for it. */
    record Settled(Resolution resolution, List<Parked> parked) {}

    /** What a pipelined request resolves to: a target ({@code @n}), or why it has none. */
    record Resolution(String target, String refusal) {
        static Resolution refused(String why) {
            return new Resolution(null, why);
        }
    }

    /** Requests waiting for the result of request k, by k. Guarded by this. */
    private final Map<Integer, List<Parked>> waiting = new HashMap<>();
    /**
     * The ids of the requests parked here, until they are dispatched or refused: a request may
     * be pipelined on one of them. Guarded by this.
     */
    private final java.util.Set<Integer> parkedIds = new java.util.HashSet<>();
    /** What recent results that were references resolved to, oldest first. Guarded by this. */
    private final Map<Integer, Resolution> settled = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Resolution> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** Whether any request waits: a result that is no reference need only be settled then. */
    private volatile boolean anyWaiting;
    /** Guarded by this. */
    private boolean closed;

    /**
     * The request id a pipelined service name ({@code ^k}) names, or -1 if {@code service} is not
     * one; -2 if it is malformed.
     */
    static long source(String service) {
        if (service.isEmpty() || service.charAt(0) != '^') {
            return -1;
        }
        try {
            int k = Integer.parseUnsignedInt(service, 1, service.length(), 10);
            return k == 0 || service.charAt(1) == '+' ? -2 : Integer.toUnsignedLong(k);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -2;
        }
    }

    /**
     * A request pipelined on request {@code k} arrived: returns what it resolves to now, or null
     * if it waits for {@code k}, which {@code running} says is still being served. I/O thread.
     */
    synchronized Resolution arrived(int k, Parked request, IntPredicate running) {
        Resolution known = settled.get(k);
        if (known != null) {
            return known;
        }
        if (!closed) {
            // Said before the look at k: k, answered with no reference, settles only if it sees
            // this after it stops counting as served. So either it sees this, or this sees it gone.
            anyWaiting = true;
            if (parkedIds.contains(k) || running.test(k)) {
                waiting.computeIfAbsent(k, x -> new ArrayList<>()).add(request);
                parkedIds.add(request.header().requestId());
                return null;
            }
            anyWaiting = !waiting.isEmpty();
        }
        return Resolution.refused("request " + Integer.toUnsignedString(k) + " is not being served on this"
                + " connection, and is not among the last " + REMEMBERED + " whose result was an object reference:"
                + " there is no result to pipeline on");
    }

    /** Whether a request waits for some result (a cheap check for results that are no reference). */
    boolean anyWaiting() {
        return anyWaiting;
    }

    /**
     * Request {@code k} is answered: with object {@code target} ({@code @n}), or, if that is null,
     * with {@code what} (a failure, or a value that is no reference). Call before the request
     * stops counting as being served if {@code remember}, so that later requests find the
     * resolution here; otherwise, if {@link #anyWaiting()}, after, so that no request parks
     * unseen (see {@link #arrived}). Returns the resolution and the requests that waited for it.
     */
    synchronized Settled settle(int k, String target, String what, boolean remember) {
        Resolution r = target != null ? new Resolution(target, null)
                : Resolution.refused("the result of request " + Integer.toUnsignedString(k) + " " + what
                        + ": there is no object to pipeline on");
        if (remember && !closed) {
            settled.put(k, r);
        }
        List<Parked> parked = waiting.remove(k);
        anyWaiting = !waiting.isEmpty();
        return new Settled(r, parked == null ? List.of() : parked);
    }

    /**
     * A parked request left: dispatched (it is being served now), or refused, or canceled. Call
     * on the I/O thread once it is one of those, so that a request pipelined on it finds it.
     */
    synchronized void left(int id) {
        parkedIds.remove(id);
    }

    /**
     * A CANCEL arrived for request {@code id}: returns it if it was waiting here, no longer
     * waiting; the caller refuses it, then calls {@link #left}.
     */
    synchronized Parked cancel(int id) {
        if (!parkedIds.contains(id)) {
            return null;
        }
        for (List<Parked> list : waiting.values()) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).header().requestId() == id) {
                    return list.remove(i);
                }
            }
        }
        return null;
    }

    /** The connection closed: what waits is dropped, its frames released. */
    void close() {
        List<Parked> dropped = new ArrayList<>();
        synchronized (this) {
            closed = true;
            waiting.values().forEach(dropped::addAll);
            waiting.clear();
            parkedIds.clear();
            settled.clear();
            anyWaiting = false;
        }
        dropped.forEach(p -> p.frame().release());
    }
}
