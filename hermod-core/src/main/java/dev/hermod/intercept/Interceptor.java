package dev.hermod.intercept;

import dev.hermod.Client;
import dev.hermod.Server;

/**
 * What {@link Client.Builder#intercept} and {@link Server.Builder#intercept} take: a
 * {@link ClientInterceptor}, a {@link ServerInterceptor}, or one object that is both.
 *
 * <p>A connection carries calls both ways, so each side makes calls and serves them: a client
 * uses the {@code ClientInterceptor} side of what is registered on it for its own calls and the
 * {@code ServerInterceptor} side for the calls a server makes back to it on object references it
 * exported; a server uses the {@code ServerInterceptor} side for the calls it serves and the
 * {@code ClientInterceptor} side for the calls it makes on references clients passed to it.
 *
 * <p>Interceptors run in the order registered: the first registered sees the start of a call
 * first and its outcome last, as the outermost layer.
 *
 * <p>{@link #bind(Vitals)} gives it a read-only view of the side it is registered on (bytes,
 * connections, queues), for what calls alone do not show.
 *
 * <p>Implementations must be thread-safe: one instance sees many calls at once.
 *
 * @since 0.3
 */
public interface Interceptor {

    /**
     * Called once when the client or server this interceptor is registered on is built, before
     * it makes or serves a call; the default does nothing. Metrics interceptors register gauges
     * on {@code vitals} here. Registered on several clients or servers, it is called once for
     * each.
     *
     * @param vitals read-only figures of that client or server, readable from any thread for as
     *     long as it lives
     */
    default void bind(Vitals vitals) {}
}
