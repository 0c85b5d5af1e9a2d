package dev.hermod.intercept;

import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.Current;
import dev.hermod.RpcException;
import dev.hermod.ServiceNotFoundException;
import dev.hermod.Status;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What client and server interceptors both see of a call ({@link ClientCall}, {@link ServerCall}):
 * its target, context and deadline, a place for per-call state, and the means to decide it in
 * {@code onStart}. Valid for one call; its methods may be called from the interceptor's
 * callbacks for that call. Not thread-safe beyond that: one call's callbacks never run at the
 * same time.
 *
 * @since 0.3
 */
public interface InterceptedCall {

    /**
     * Returns the service the call is addressed to. For a call on an object reference, whose
     * name ({@code @7}) means something only on one connection, the contract's simple name.
     *
     * @return the service name
     */
    String service();

    /**
     * Returns the operation's name.
     *
     * @return the operation name
     */
    String operation();

    /**
     * Returns the {@code @Remote} interface the operation belongs to, or {@code Object.class}
     * for a dynamic call by name ({@link Client#invoke}) on the client.
     *
     * @return the contract
     */
    Class<?> contract();

    /**
     * Tells whether the call is on an object reference rather than a named service.
     *
     * @return true for a call on a reference
     */
    boolean onReference();

    /**
     * Returns the request context, including the entries added by interceptors that ran before:
     * on the client as it will be sent, on the server as the servant will see it.
     *
     * @return an unmodifiable map
     */
    Map<String, String> context();

    /**
     * Adds or replaces a request context entry: on the client it is sent, on the server the
     * servant sees it in {@link Current#context()}. Only in {@code onStart}.
     *
     * @param key the entry's key
     * @param value its value
     * @throws IllegalStateException if the call has already been started or decided
     * @throws IllegalArgumentException as {@link CallOptions#withContext(String, String)}
     */
    void putContext(String key, String value);

    /**
     * Returns the time left before the call's deadline, measured now (the caller's deadline, on
     * the server).
     *
     * @return the remaining time, or empty if the call has no deadline
     */
    Optional<Duration> timeRemaining();

    /**
     * Returns a map for interceptors to keep state of this call between its start and its
     * outcome (a start time, a span). Never sent. Use keys private to the interceptor.
     *
     * @return a mutable map, created on first use
     */
    Map<Object, Object> attributes();

    /**
     * Short-circuits the call with a result: it is not sent (client) or not run (server), and
     * the caller receives
     * {@code value} as if the servant had returned it. Only in {@code onStart}.
     *
     * @param value the result, of the operation's result type (null for void)
     * @throws IllegalStateException if the call has already been started or decided
     */
    void respond(Object value);

    /**
     * Short-circuits the call with a failure: it is not sent (client) or not run (server), and
     * the caller receives {@code failure} as if the call had failed with it: an exception the
     * operation declares arrives as itself, an {@link RpcException} with its status; on the
     * server anything else arrives as {@link Status#REMOTE_FAILURE}. Only in {@code onStart}.
     *
     * @param failure the failure
     * @throws IllegalStateException if the call has already been started or decided
     */
    void fail(Throwable failure);

    /**
     * Short-circuits the call with a failure of the given status: the caller receives the
     * {@link RpcException} subtype that stands for it ({@link ServiceNotFoundException} for
     * {@link Status#SERVICE_NOT_FOUND}, and so on) with {@code message}. Only in {@code onStart}.
     *
     * @param status the status
     * @param message what the caller is told
     * @throws IllegalStateException if the call has already been started or decided
     */
    void fail(Status status, String message);
}
