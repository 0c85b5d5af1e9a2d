package dev.hermod.intercept;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Server;

/**
 * Sees every call a client makes (and every call a server makes on an object reference): its
 * start, before anything is sent, and its outcome. Metrics, tracing and credentials helpers are
 * built on it; register one with {@link Client.Builder#intercept} (or
 * {@link Server.Builder#intercept}, for calls on references).
 *
 * <p>It sees synchronous, asynchronous, oneway, batched and streamed calls alike
 * ({@link ClientCall#kind()}).
 * In {@link #onStart} it may read and add request context entries, keep per-call state in
 * {@link ClientCall#attributes()}, and short-circuit the call with
 * {@link ClientCall#respond(Object)} or {@link ClientCall#fail(Throwable)}: the call is then never
 * sent, and interceptors registered after this one do not see it.
 *
 * <p>Threads: {@code onStart} runs on the thread that makes the call, before the proxy method
 * returns. {@code onComplete} runs once per call that {@code onStart} saw, never on a Hermod I/O
 * thread: on the calling thread for a synchronous call, on the thread that completes the
 * {@link AsyncResult} otherwise (the callback executor, or a thread waiting for it), before the
 * caller sees the outcome. A oneway call's outcome is known once it is written, a batched oneway
 * call's once it is queued. A call whose result is a stream ({@link ClientCall.Kind#STREAM}: one
 * per subscription to the publisher the proxy returned) ends when its stream does: it completes
 * ({@code OK}), fails (with the declared exception or the status), is canceled by the subscriber
 * ({@code CANCELED}) or passes its deadline ({@code TIMEOUT}); {@code onComplete} runs before
 * the subscriber sees {@code onComplete} or {@code onError}, on the callback executor or the
 * thread that ended the call (the subscriber's, when it cancels). Such a call can be short-circuited with {@code respond(null)}, an empty
 * stream, or with {@code fail}. Order: the
 * first registered sees the start first and the outcome last. An exception thrown by
 * {@code onStart} fails the call with it; one thrown by {@code onComplete} is logged and ignored.
 *
 * <p>Implementations must be thread-safe. Hermod's own control calls (releasing references,
 * flushing batches) are not intercepted.
 *
 * @since 0.3
 */
public interface ClientInterceptor extends Interceptor {

    /**
     * A call is starting; nothing has been sent. The default does nothing.
     *
     * @param call the call, valid until its outcome is reported
     */
    default void onStart(ClientCall call) {}

    /**
     * The call's outcome is known. The default does nothing.
     *
     * @param call the call {@link #onStart} saw
     * @param outcome how it ended and how long it took
     */
    default void onComplete(ClientCall call, CallOutcome outcome) {}
}
