package dev.hermod;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-proxy and per-call options: the invocation timeout and the request context.
 *
 * <p>An immutable value: every {@code withX} method returns a copy. Attach options to a proxy when
 * creating it ({@link Client#proxy(Class, String, CallOptions)}), or derive a proxy with changed
 * options for one call or a few ({@link Hermod#withOptions(Object, java.util.function.UnaryOperator)}):
 *
 * <pre>{@code
 * Employees traced = Hermod.withOptions(employees, o -> o.withContext("trace-id", "7f3a"));
 * traced.getName(99);
 * }</pre>
 *
 * <p>The context (ZeroC Ice's {@code _ctx}) is a map of strings delivered to the servant with the
 * request, readable there through {@link Current#context()}. The timeout bounds the whole
 * invocation; the time left travels with the request so the server can see it and drop work
 * that is already late. When no timeout is set the client's default applies
 * ({@link Client.Builder#callTimeout(Duration)}).
 *
 * <p>Any positive timeout works: a timeout of 100 years or more, such as
 * {@code Duration.ofSeconds(Long.MAX_VALUE)}, means no deadline at all, and
 * {@link #withoutDeadline()} says so explicitly (RPyC's "never expires unless I say so"). A call
 * without a deadline never expires by itself: it ends with its reply, a failure of its
 * connection, {@link AsyncResult#cancel()}, or {@link AsyncResult#expireAfter}. Its servant sees
 * no deadline ({@link Current#timeRemaining()} is empty), nor does a servant whose caller has
 * more time left than the wire's field holds (about 49 days): the caller enforces its deadline
 * alone then.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1
 */
public final class CallOptions {
    private static final CallOptions DEFAULTS = new CallOptions(null, Map.of(), null);
    private static final int MAX_STRING = 0xFFFF;

    private final Duration timeout;
    private final Map<String, String> context;
    private final Boolean compression;

    private CallOptions(Duration timeout, Map<String, String> context, Boolean compression) {
        this.timeout = timeout;
        this.context = context;
        this.compression = compression;
    }

    /**
     * Returns the options with no timeout of their own and an empty context.
     *
     * @return the default options
     */
    public static CallOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns the invocation timeout.
     *
     * @return the timeout, or empty to use the client's default; {@link #withoutDeadline()} sets
     *     the longest {@code Duration} there is ({@code ChronoUnit.FOREVER.getDuration()})
     */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /**
     * Returns the request context.
     *
     * @return an unmodifiable map, possibly empty
     */
    public Map<String, String> context() {
        return context;
    }

    /**
     * Returns a copy with the given invocation timeout.
     *
     * @param timeout a positive duration; 100 years or more means no deadline (as
     *     {@link #withoutDeadline()}), and never overflows
     * @return the new options
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public CallOptions withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new CallOptions(timeout, context, compression);
    }

    /**
     * Returns whether the call's payload is compressed.
     *
     * @return the choice, or empty to follow {@code Client.Builder.compression} (or, for a call
     *     a server makes, {@code Server.Builder.compression})
     */
    public Optional<Boolean> compression() {
        return Optional.ofNullable(compression);
    }

    /**
     * Returns a copy that compresses the call's request payload (LZ4) and asks for its result
     * compressed, or that does neither, whatever the client's default. Only payloads of at least 1 KiB that get
     * shorter are sent compressed, and only to a peer that reads them.
     *
     * @param on whether to compress
     * @return the new options
     */
    public CallOptions withCompression(boolean on) {
        return new CallOptions(timeout, context, on);
    }

    /**
     * Returns a copy whose calls have no deadline: they wait for their reply however long it
     * takes, unless canceled, expired explicitly with {@link AsyncResult#expireAfter}, or failed
     * with their connection (a dead peer is detected by heartbeats). The servant sees no
     * deadline. A call that a servant makes while serving a call with a deadline still inherits
     * that deadline.
     *
     * @return the new options, whose {@link #timeout()} is {@code ChronoUnit.FOREVER.getDuration()}
     */
    public CallOptions withoutDeadline() {
        return new CallOptions(ChronoUnit.FOREVER.getDuration(), context, compression);
    }

    /**
     * Returns a copy with one context entry added or replaced.
     *
     * @param key the key; not null
     * @param value the value; not null
     * @return the new options
     * @throws IllegalArgumentException if the key or value is longer than 65,535 bytes in UTF-8,
     *     or the context would have more than 65,535 entries
     */
    public CallOptions withContext(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(context);
        copy.put(checked(key, "context key"), checked(value, "context value"));
        if (copy.size() > MAX_STRING) {
            throw new IllegalArgumentException("at most " + MAX_STRING + " context entries");
        }
        return new CallOptions(timeout, Collections.unmodifiableMap(copy), compression);
    }

    /** Context strings travel with a 16-bit length. */
    private static String checked(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.length() > MAX_STRING / 3 && s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_STRING) {
            throw new IllegalArgumentException(what + " longer than " + MAX_STRING + " bytes in UTF-8");
        }
        return s;
    }

    /**
     * Returns a copy whose context is exactly the given map.
     *
     * @param context the entries; neither keys nor values may be null
     * @return the new options
     */
    public CallOptions withContext(Map<String, String> context) {
        Objects.requireNonNull(context, "context");
        if (context.size() > MAX_STRING) {
            throw new IllegalArgumentException("at most " + MAX_STRING + " context entries: " + context.size());
        }
        Map<String, String> copy = new LinkedHashMap<>();
        context.forEach((k, v) -> copy.put(checked(k, "context key"), checked(v, "context value")));
        return new CallOptions(timeout, Collections.unmodifiableMap(copy), compression);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CallOptions other
                && Objects.equals(timeout, other.timeout)
                && context.equals(other.context)
                && Objects.equals(compression, other.compression);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeout, context, compression);
    }

    @Override
    public String toString() {
        return "CallOptions{timeout=" + timeout + ", context=" + context
                + (compression == null ? "" : ", compression=" + compression) + '}';
    }
}
