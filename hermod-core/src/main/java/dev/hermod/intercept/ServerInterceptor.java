package dev.hermod.intercept;

import dev.hermod.Client;
import dev.hermod.Current;
import dev.hermod.Server;

/**
 * Sees every call a server serves (and every call a client serves on an object reference it
 * exported): its start, before the servant runs, the servant's return, and the outcome. Register
 * one with {@link Server.Builder#intercept} (or {@link Client.Builder#intercept}, for calls on
 * references).
 *
 * <p>In {@link #onStart} it may read the service, operation, context, deadline and principal
 * ({@link ServerCall}), add context entries the servant then sees in {@link Current#context()},
 * keep per-call state in {@link ServerCall#attributes()}, and short-circuit with
 * {@link ServerCall#respond(Object)} or {@link ServerCall#fail(Throwable)}: the servant then does
 * not run, and interceptors registered after this one do not see the call.
 *
 * <p>Threads: {@code onStart} and {@link #onServantExit} run on the thread that runs the servant
 * (a dispatch thread; an I/O thread only for a server whose executor is the direct one), so
 * thread-local state set in {@code onStart} (a tracing scope) is seen by the servant and by the
 * calls it makes, and {@code onServantExit} undoes it. {@link #onComplete} runs once the reply
 * is decided, on a dispatch thread or the thread that completed an asynchronous servant's stage,
 * never on an I/O thread unless the executor is the direct one; for a servant that answers at once
 * that is inside its call, so before {@code onServantExit}, and before the reply is written. Order:
 * the first registered sees the start first, the servant's exit and the outcome last. An exception thrown by {@code onStart}
 * fails the call with it; one thrown by the others is logged and ignored.
 *
 * <p>Implementations must be thread-safe. Streamed operations are seen like others, but their
 * outcome is reported when the reply is decided, which for a streamed result is when the stream
 * ends: it completes ({@code OK}), the servant's publisher fails (its declared exception, or
 * {@code REMOTE_FAILURE}), or the caller cancels it ({@code CANCELED}); the duration runs until
 * then.
 *
 * @since 0.3
 */
public interface ServerInterceptor extends Interceptor {

    /**
     * A call is about to run, on the thread that will run it. The default does nothing.
     *
     * @param call the call, valid until its outcome is reported
     */
    default void onStart(ServerCall call) {}

    /**
     * The servant's method returned or threw (one that answers later has only started its work),
     * or the call was short-circuited; on the same thread as {@link #onStart}. The default does
     * nothing.
     *
     * @param call the call {@link #onStart} saw
     */
    default void onServantExit(ServerCall call) {}

    /**
     * The call's reply is decided. The default does nothing.
     *
     * @param call the call {@link #onStart} saw
     * @param outcome how it ended and how long it took, from the start of dispatch
     */
    default void onComplete(ServerCall call, CallOutcome outcome) {}
}
