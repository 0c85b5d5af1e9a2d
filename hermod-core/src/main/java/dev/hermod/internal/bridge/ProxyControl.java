package dev.hermod.internal.bridge;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import java.util.function.UnaryOperator;

/**
 * What the static helpers of {@code Hermod} do with a proxy: derive proxies with other options,
 * modes or contracts, flush a batch proxy, release a reference. Implemented by the invocation
 * handler behind every Hermod proxy; immutable.
 */
public interface ProxyControl {

    /** A new proxy like {@code proxy} but with changed options. */
    <T> T withOptions(T proxy, UnaryOperator<CallOptions> change);

    /** A new oneway proxy like {@code proxy}. */
    <T> T oneway(T proxy);

    /** A new proxy like {@code proxy} whose calls all go to one endpoint of its client. */
    <T> T sticky(T proxy);

    /** A new batch proxy like {@code proxy}, with an empty queue of its own. */
    <T> T batch(T proxy);

    /** A proxy for the same target, mode and options, seen as another contract. */
    <U> U as(Class<U> type);

    /** Sends this batch proxy's queue and waits until it is written. */
    void flush();

    /** Sends this batch proxy's queue; the result is sent when handed over, complete when written. */
    AsyncResult<Void> flushAsync();

    /** The options this proxy's calls use. */
    CallOptions options();

    /**
     * Releases the object reference behind this proxy.
     *
     * @throws IllegalArgumentException if the proxy is for a named service, not a reference
     */
    void release();
}
