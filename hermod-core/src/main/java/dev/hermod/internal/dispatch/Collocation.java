package dev.hermod.internal.dispatch;

import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.contract.Service;
import dev.hermod.internal.protocol.Link;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two ends of in-process connections in this class loader, so that a request to a server
 * that passes by reference ({@code Server.Builder.passByReference}) can hand its arguments over,
 * and its result come back, as the objects themselves instead of through the codec.
 *
 * <p>The frames still travel as over any connection (REQUEST with the BY_REFERENCE flag and an
 * empty payload, then a REPLY): deadlines, cancellation, flow control, interceptors, sent state
 * and the threads of callbacks are those of the encoded path. Only the payloads are skipped: the
 * serving end takes the arguments from the caller's pending call, and puts the result into it
 * ({@link Caller}), so nothing is held beyond the call's own life and nothing leaks when a frame
 * is dropped. Declared exceptions are still encoded, so that a caller sees exactly what it sees
 * over TCP.
 *
 * <p>An end is known here under (its address, its peer's address) of the local channel pair; a
 * Hermod loaded by another class loader has its own table, so such ends never meet and their
 * calls take the encoded path. Thread-safe.
 */
public final class Collocation {
    /** What a calling end lends the serving end of its connection. */
    public interface Caller {
        /** The arguments of the pending request with this id, or null if it is no longer pending. */
        Object[] arguments(int requestId);

        /** Hands the result of that request over; dropped if it is no longer pending. */
        void result(int requestId, Object value);
    }

    private record Key(SocketAddress local, SocketAddress remote) {}

    private record End(Caller caller, Dispatch dispatch) {}

    private static final ConcurrentHashMap<Key, End> ENDS = new ConcurrentHashMap<>();

    private Collocation() {}

    /**
     * Enrolls an end of an in-process link, once both its addresses are known; returns the token
     * to {@link #leave} with, or null if the link is not in process or not connected yet.
     */
    public static Object enroll(Link link, Caller caller, Dispatch dispatch) {
        if (!link.isInProcess() || link.localAddress() == null || link.remoteAddress() == null) {
            return null;
        }
        Key key = new Key(link.localAddress(), link.remoteAddress());
        ENDS.put(key, new End(caller, dispatch));
        return key;
    }

    /** Forgets an end when its connection closes. */
    public static void leave(Object token) {
        if (token != null) {
            ENDS.remove(token);
        }
    }

    /**
     * Tells whether a request for {@code op} on {@code service} may hand its arguments over on
     * {@code link} (enrolled as {@code token}): the other end passes by reference and serves that
     * service as the very same {@code @Remote} interface (the same {@code Class}, hence the same
     * argument and result classes). Operations with references, streams or deduplication, and
     * dynamic ones, always take the encoded path.
     */
    public static boolean mayHandOver(Object token, String service, Operation op) {
        if (!(token instanceof Key key) || op.isDynamic() || op.hasReferences() || op.streaming() != null
                || op.isDeduplicated()) {
            return false;
        }
        End other = ENDS.get(new Key(key.remote(), key.local()));
        if (other == null || !other.dispatch.passesByReference()) {
            return false;
        }
        Service s = other.dispatch.service(service);
        return s != null && s.contract().remoteType() == op.contract().remoteType();
    }

    /** The calling end across {@code link}, or null. */
    static Caller caller(Link link) {
        SocketAddress local = link.localAddress();
        SocketAddress remote = link.remoteAddress();
        End other = local == null || remote == null ? null : ENDS.get(new Key(remote, local));
        return other == null ? null : other.caller;
    }
}
