package dev.hermod.resolve;

import java.net.URI;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Turns a client's target into the live, changing set of endpoints its calls go to: the SPI
 * behind target schemes such as {@code dns:///...} or {@code zk://...} (gRPC's
 * {@code NameResolver}, made small). Hermod's own {@code tcp://a:4061,b:4061} and
 * {@code tls://...} lists are a resolver that reports a fixed set once.
 *
 * <p>Lifecycle: a {@link Provider}, found by the target's scheme, makes one resolver per client
 * when the client is built; that does no I/O. The client calls {@link #start} once, before its
 * first call, and {@link #close} once, when it shuts down. Meanwhile the resolver reports the
 * whole current set to its {@link Listener} each time it changes, and the client may call
 * {@link #refresh()} when it suspects the set is stale: after a connection to an endpoint failed,
 * or when a call finds no endpoint. A resolver that watches its source (ZooKeeper) reports
 * changes as they come; one that polls (DNS) also re-resolves on its own schedule.
 *
 * <p>Calls made before the first report wait for it, each within its deadline; a report of an
 * empty set, or an error before any set, makes them fail with an unprocessed
 * {@link dev.hermod.ConnectionException} ({@link dev.hermod.Status#UNAVAILABLE}) naming the
 * target. After an error the client keeps using the last set it was given.
 *
 * <p>Implementations must be thread-safe: {@code refresh} and {@code close} may be called from
 * any thread, and must return quickly (do slow work on the {@linkplain Provider#newResolver
 * scheduler}).
 *
 * @since 0.3
 */
public interface NameResolver extends AutoCloseable {

    /**
     * Starts resolving: reports the set to {@code listener} when known, and again on each change,
     * until closed. Called once; must not block.
     *
     * @param listener where the endpoints go; thread-safe
     */
    void start(Listener listener);

    /**
     * Asks for a new resolution soon: the client suspects its endpoints are stale. May be called
     * often (on every failed connection); a resolver may ignore calls that come too close
     * together. Does nothing by default: a resolver that is told of changes needs no hint.
     */
    default void refresh() {}

    /** Stops resolving and releases what the resolver holds; nothing is reported afterwards. */
    @Override
    void close();

    /** Receives what a resolver finds. Thread-safe; its methods return quickly. */
    interface Listener {
        /**
         * The endpoints now, all of them: those missing from an earlier report are removed
         * (their calls in flight finish, new calls go elsewhere), new ones added, known ones
         * updated (weight, attributes). Duplicates (the same {@link Endpoint#address()}) count
         * once, the last one winning.
         *
         * @param endpoints the current set, possibly empty
         */
        void onEndpoints(List<Endpoint> endpoints);

        /**
         * Resolution failed. The client keeps the endpoints it has; if it has none yet, calls
         * waiting for them fail with an unprocessed {@link dev.hermod.ConnectionException} that
         * has {@code error} as its cause.
         *
         * @param error why, with a message fit for a user
         */
        void onError(Throwable error);
    }

    /**
     * Makes resolvers for one target scheme. Found by scheme: those given to
     * {@link dev.hermod.Client.Builder#resolver} first, then those on the class or module path
     * through {@link java.util.ServiceLoader} (a module {@code provides
     * dev.hermod.resolve.NameResolver.Provider with ...}). The schemes {@code tcp}, {@code tls}
     * and {@code inproc} are Hermod's own and cannot be provided. Thread-safe.
     */
    interface Provider {
        /**
         * The scheme this provider resolves, in lower case, such as {@code dns} or {@code zk}.
         *
         * @return the scheme
         */
        String scheme();

        /**
         * Makes the resolver of one client. Does no I/O: the client starts it before its first call.
         *
         * @param target the client's target, whose scheme is {@link #scheme()}
         * @param scheduler a single thread the client owns, shared by its resolver's work: blocking
         *     lookups and periodic re-resolution may run there. Do not shut it down; it stops when
         *     the client terminates
         * @return a new resolver
         * @throws IllegalArgumentException if the target is not one this provider understands; the
         *     message says what it expected
         */
        NameResolver newResolver(URI target, ScheduledExecutorService scheduler);
    }
}
