package dev.hermod;

import dev.hermod.connection.Connection;
import dev.hermod.internal.bridge.Engine;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

// One file, longer than most: the result handle is the API's centre, and its javadoc (the Ice,
// Future and CompletionStage contracts it keeps, and the typed Throwing forms) belongs beside it.
/**
 * The handle to the result of an asynchronous remote invocation: it is returned at once, and it
 * later holds the operation's value, or the exception the synchronous call would have thrown.
 *
 * <p>It unites what the seed systems offer: ZeroC Ice's {@code AsyncResult} (sent state,
 * {@code waitForSent}, response / exception / sent callbacks), RPyC's {@code AsyncResult}
 * ({@code ready}, {@code error}, {@code value}, expiry), Kaa's {@code InProgress} (callbacks for
 * both outcomes, {@code any}/{@code all}, logging of failures nobody looked at), and the Parallels
 * and oVirt SDKs' jobs and futures ({@code wait}, {@code cancel}, progress). It is also a
 * {@link CompletionStage} and a {@link Future}, so it composes with the rest of Java.
 *
 * <h2>Outcome</h2>
 * {@link #value()} waits and returns the result, or throws exactly what the synchronous call
 * would have thrown: the operation's declared exception as itself, or an {@link RpcException}.
 * {@link Future#get()} wraps the same exception in an {@code ExecutionException}, as {@code Future}
 * requires; a canceled result ({@link #isCancelled()}) makes {@code get} throw a
 * {@link java.util.concurrent.CancellationException} instead, again as {@code Future} requires,
 * whose cause is the {@link InvocationCanceledException} that {@link #value()} throws and
 * {@link #error()} returns ({@code toCompletableFuture().join()} does the same). {@link #error()}
 * looks at the failure without waiting.
 *
 * <p>A oneway or batched call's result completes without a response; see "Oneway and batched
 * results" in the {@linkplain dev.hermod package documentation}.
 *
 * <p>Declared as {@code AsyncResult<T>}, {@code value()} can only say {@code throws Exception}.
 * The generated companion interfaces therefore return the subtypes {@link Throwing} and
 * {@link Throwing2}, which carry the operation's checked exceptions as type parameters so that
 * the compiler knows what {@code value()} throws:
 *
 * <pre>{@code
 * AsyncResult.Throwing<String, NoSuchEmployee> r = employees.getName(99);   // or: var r = ...
 * try {
 *     String name = r.value();
 * } catch (NoSuchEmployee e) {          // nothing broader to catch: RpcException is unchecked
 *     ...
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * Response, exception, completion and progress callbacks never run on a Hermod I/O thread: they
 * run on the client's callback executor ({@link Client.Builder#callbackExecutor}), also when they
 * are added after the result is complete. A result's response, exception and completion
 * callbacks are handed to it in the order they were added: the thread settling the result runs
 * those added before it, one after another, and a one-thread executor runs them all in that
 * order. The sent callback runs in the calling thread when the
 * request was handed to the transport during the call ({@link #sentSynchronously()}), and on
 * another thread otherwise, as in Ice. The non-async {@code CompletionStage} methods follow the
 * JDK's rule: they run in the thread that completes the result, or in the calling thread if the
 * result is already complete. That thread is the callback executor's, except that a thread
 * calling {@link #cancel()}, or waiting in {@link #value()}, {@code get} or
 * {@link #waitForCompleted()} when the reply arrives, may complete the result itself; it is never
 * an I/O thread. Their {@code *Async} forms without an executor use the callback executor. An
 * exception thrown by a callback is logged and does not affect the result or other callbacks.
 * The one exception to "never on an I/O thread" is a client built with
 * {@link Client.Builder#directCallbacks()}: there a reply completes its result on the I/O thread
 * that read it, which runs the callbacks added by then and the non-async stages.
 *
 * <h2>Cancellation and expiry</h2>
 * {@link #cancel()} completes the result at once with an {@link InvocationCanceledException}
 * (called on a Hermod I/O thread, by an operation of a server built with
 * {@code directExecutor()}, it completes it on the callback executor instead, right after).
 * A request that still waits in the client (for a connection, in a connection's backlog while
 * the network cannot take more, or in a batch queue or a batch frame not yet handed over) is
 * withdrawn and never sent, as in Ice, and the exception's {@link RpcException#isUnprocessed()}
 * is true; a request already handed to the transport gets a CANCEL frame, the servant can
 * observe it through {@link Current#isCanceled()}, and the exception is not marked unprocessed.
 * An invocation also ends when its deadline passes ({@link CallOptions#withTimeout}), with an
 * {@link InvocationTimeoutException} that follows the same rule; {@link #expireAfter(Duration)}
 * shortens the deadline later, like RPyC's {@code set_expiry}. A reply that arrives after either
 * is dropped. In general {@code isUnprocessed()} is true exactly when the server cannot have seen
 * the request (it was never written whole to the connection) or refused it without running it,
 * so a retry cannot run the operation twice.
 *
 * <h2>Failures nobody observed</h2>
 * A failure counts as observed once something received it: {@link #value()}, {@code get},
 * {@link #error()}, an exception or completion callback, a stage that handles it
 * ({@code exceptionally}, {@code handle}, {@code whenComplete} and their variants), or
 * {@code toCompletableFuture()}, which hands the result over. Waiting for it, asking
 * {@link #isFailed()}, or a response callback does not. Stages derived with {@code thenApply},
 * {@code thenCompose}, {@code thenCombine} and the like carry the failure on and inherit the
 * watch: what their own handlers receive counts for this result too. A failure nobody received
 * is logged once, at ERROR ({@code unhandled asynchronous exception: getName on service
 * 'employees' failed and nobody observed it}, with the stack), after this result and every stage
 * derived from it have been garbage-collected, like Kaa's; a failure that arises in a derived
 * stage itself is logged the same way, as that of "a stage derived from" the operation.
 *
 * <p>Users cannot complete or obtrude the result: only Hermod completes it. Instances are
 * thread-safe.
 *
 * @param <T> the operation's result type ({@link Void} for {@code void})
 * @since 0.1
 */
public interface AsyncResult<T> extends CompletionStage<T>, Future<T> {

    /**
     * Returns the name of the invoked operation.
     *
     * @return the operation name
     */
    String operation();

    /**
     * Returns the name of the invoked service.
     *
     * @return the service name
     */
    String service();

    /**
     * Returns the client that made the invocation: empty for a call a server made on an object
     * reference a client passed it.
     *
     * @return the client, if a client made the call
     */
    java.util.Optional<Client> client();

    /**
     * Returns the proxy whose method started the invocation (Ice {@code getProxy}).
     *
     * @return the proxy, empty for a dynamic invocation ({@link Client#invoke})
     */
    Optional<Object> proxy();

    /**
     * Returns the address of the peer the request was sent to.
     *
     * @return the peer address, empty while no connection has been chosen
     */
    Optional<java.net.SocketAddress> remoteAddress();

    /**
     * Returns the connection the request went, or goes, over (Ice {@code getConnection}): a
     * handle to flush that connection's batches ({@link Connection#flushBatches()}) or to watch
     * its state. It is the same handle {@link Client#connections()} lists.
     *
     * @return the connection, empty until the invocation is assigned one: while it waits for a
     *     connection to open or for a free slot, and for a batched call until its batch is flushed
     */
    Optional<Connection> connection();

    /**
     * Tells whether the request has been handed to the transport (Ice {@code isSent}).
     *
     * @return true once sent; false while queued, or if the invocation failed before sending
     */
    boolean isSent();

    /**
     * Tells whether the request was handed to the transport within the call that started it,
     * without being queued first (Ice {@code sentSynchronously}).
     *
     * @return true if sent synchronously
     */
    boolean sentSynchronously();

    /**
     * Tells whether the invocation completed with an exception (RPyC {@code error}); false while
     * it is in progress.
     *
     * @return true if failed, canceled or expired
     */
    boolean isFailed();

    /**
     * Tells whether the invocation ended because its deadline passed (RPyC {@code expired}).
     *
     * @return true if it failed with an {@link InvocationTimeoutException}
     */
    boolean isExpired();

    /**
     * Waits until the invocation is complete (Ice {@code waitForCompleted}, Parallels
     * {@code wait}). Bounded by the invocation's own deadline.
     *
     * @return this result
     * @throws InterruptedException if the waiting thread is interrupted
     */
    AsyncResult<T> waitForCompleted() throws InterruptedException;

    /**
     * Waits up to {@code timeout} for the invocation to complete.
     *
     * @param timeout the longest time to wait
     * @return true if complete
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean waitForCompleted(Duration timeout) throws InterruptedException;

    /**
     * Waits until the request has been handed to the transport, or the invocation failed first
     * (Ice {@code waitForSent}). Afterwards {@link #isSent()} tells which.
     *
     * @return this result
     * @throws InterruptedException if the waiting thread is interrupted
     */
    AsyncResult<T> waitForSent() throws InterruptedException;

    /**
     * Waits up to {@code timeout} for the request to be sent or the invocation to fail.
     *
     * @param timeout the longest time to wait
     * @return true if sent
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean waitForSent(Duration timeout) throws InterruptedException;

    /**
     * Waits for the outcome and returns the value, or throws what the synchronous call would have
     * thrown: a declared exception as itself, or an {@link RpcException} (created in the calling
     * thread, with the original as its cause). Never wraps in {@code ExecutionException}. An
     * exception the servant threw without declaring it arrives as a {@link RemoteException}, and
     * interrupting the waiting thread cancels the invocation, as it would cancel the synchronous
     * call: {@code value()} then throws {@link InvocationCanceledException}, with the thread's
     * interrupt status set. So the only checked exceptions it throws are those the operation
     * declares.
     *
     * <p>This type cannot name them, hence {@code throws Exception} here; {@link Throwing} and
     * {@link Throwing2}, which the generated companions return, declare them exactly. A dynamic
     * invocation ({@link Client#invoke}) has no declared exceptions to name and keeps this broad
     * form, although it throws only {@link RpcException}s (its declared exceptions arrive as
     * {@link RemoteException}).
     *
     * @return the value; null for {@code void} operations
     * @throws Exception the operation's declared exception, or an {@link RpcException}
     */
    T value() throws Exception;

    /**
     * Returns the failure without waiting (RPyC {@code error}, Ice {@code throwLocalException}).
     *
     * @return the exception the invocation failed with, or empty if it succeeded or is still in
     *     progress
     */
    Optional<Throwable> error();

    /**
     * Cancels the invocation: completes it at once with an {@link InvocationCanceledException}.
     * A request not yet handed to the transport is never sent (the exception is then
     * {@linkplain RpcException#isUnprocessed() unprocessed}); one already sent is canceled on the
     * server with a CANCEL frame. Does nothing if the invocation is already complete, nor for a
     * flush's result, which cannot be withdrawn. On a Hermod I/O thread the result is completed
     * on the callback executor right after this returns, so that no dependent stage runs there.
     * Afterwards {@code get} throws a {@link java.util.concurrent.CancellationException}.
     *
     * @return true if this call canceled it
     */
    boolean cancel();

    /**
     * Sets the invocation to expire after {@code timeout} from now, if that is earlier than its
     * current deadline (RPyC {@code set_expiry}); also gives a deadline to a call that had none.
     * On expiry it fails with {@link InvocationTimeoutException}, unprocessed if its request was
     * still waiting to be sent (it is then never sent). For a flush's result it only bounds how
     * long waits for it last.
     *
     * @param timeout a positive duration; 100 years or more changes nothing
     * @return this result
     */
    AsyncResult<T> expireAfter(Duration timeout);

    /**
     * Runs {@code callback} with the value when the invocation succeeds (Ice response callback).
     * Never runs for a oneway call, batched or not, which has no response (see "Oneway and
     * batched calls" above). A response callback does not observe a failure: attach an exception
     * or completion callback too, as Ice requires.
     *
     * @param callback receives the value (null for {@code void})
     * @return this result
     */
    AsyncResult<T> onResponse(Consumer<? super T> callback);

    /**
     * Runs {@code callback} with the exception when the invocation fails (Ice exception callback,
     * Kaa's exception signal). Attaching one marks a failure as observed.
     *
     * @param callback receives the exception: a declared exception or an {@link RpcException}
     * @return this result
     */
    AsyncResult<T> onException(Consumer<? super Throwable> callback);

    /**
     * Runs {@code callback} with the value or the exception, whichever comes (Kaa
     * {@code connect_both}); for a oneway call, null and null once it completes. Attaching one
     * marks a failure as observed.
     *
     * @param callback receives the value and null, or null and the exception
     * @return this result
     */
    AsyncResult<T> onComplete(BiConsumer<? super T, ? super Throwable> callback);

    /**
     * Runs {@code callback} when the request has been handed to the transport (Ice sent
     * callback): in the calling thread if that happened within the call, otherwise on another
     * thread. Not run if the invocation fails before sending.
     *
     * @param callback receives {@link #sentSynchronously()}
     * @return this result
     */
    AsyncResult<T> onSent(Consumer<Boolean> callback);

    /**
     * Returns the latest progress report of a long-running operation (the Parallels SDK's job
     * progress).
     *
     * @return the latest report, empty if the servant has reported none
     */
    Optional<Progress> progress();

    /**
     * Runs {@code callback} with each progress report the servant makes from now on, in order, on
     * the callback executor. If a report has already arrived, the callback first receives the
     * latest one. Every report the servant made before it answered has reached the callback by
     * the time this result completes.
     *
     * @param callback receives the reports
     * @return this result
     */
    AsyncResult<T> onProgress(Consumer<? super Progress> callback);

    /**
     * Combines results that must all succeed (Kaa's {@code InProgressAll}). The returned future
     * completes with the values in the order given once every result has succeeded. As soon as
     * one fails, it completes with that failure and cancels the others. Canceling the returned
     * future cancels every result still in progress.
     *
     * @param results the results to wait for; may be empty (the future is then complete)
     * @param <T> the common value type
     * @return a future of all values
     */
    static <T> CompletableFuture<List<T>> all(Collection<? extends AsyncResult<? extends T>> results) {
        return Engine.get().all(results);
    }

    /**
     * Takes the first outcome of several results (Kaa's {@code InProgressAny}): the returned
     * future completes with the value or the exception of whichever result completes first, and
     * the others are canceled. Canceling the returned future cancels every result still in
     * progress.
     *
     * @param results the results to race; not empty
     * @param <T> the common value type
     * @return a future of the first outcome
     * @throws IllegalArgumentException if {@code results} is empty
     */
    static <T> CompletableFuture<T> any(Collection<? extends AsyncResult<? extends T>> results) {
        return Engine.get().any(results);
    }

    /**
     * Sends an idempotent call again if it has not been answered within {@code delay}, and takes
     * the first answer (a hedged request); the other attempts are then canceled, on their servers
     * too, as when the future is canceled. An attempt that is not {@link Idempotent}, or oneway,
     * batched or with streams, is canceled and refused ({@link IllegalArgumentException}); more
     * in the {@linkplain dev.hermod package documentation}.
     *
     * @param delay how long to wait for an answer before the next attempt; positive
     * @param attempts the most attempts to make, at least 2
     * @param attempt makes one attempt, a new call each time, to the same server or another; the
     *     first in the calling thread, the others on the first one's callback executor
     * @param <T> the value type
     * @return a future of the first answer
     * @throws IllegalArgumentException for a bad delay or count, or a first attempt refused
     * @since 0.3
     */
    static <T> CompletableFuture<T> hedge(Duration delay, int attempts, Supplier<? extends AsyncResult<? extends T>> attempt) {
        return Engine.get().hedge(delay, attempts, attempt);
    }

    /**
     * Waits for {@code k} of several results to succeed, from replicas say: completes with the
     * first {@code k} values in the order they arrived, or fails with a {@link QuorumException}
     * carrying the failures as soon as {@code k} can no longer be reached. Then, or when the
     * future is canceled, the results still in progress are canceled, on their servers too.
     *
     * @param k how many must succeed, from 1 to the number of results
     * @param results the results, from any connections and clients
     * @param <T> the common value type
     * @return a future of {@code k} values, in an unmodifiable list that may hold nulls
     * @throws IllegalArgumentException if {@code k} is out of range
     * @since 0.3
     */
    static <T> CompletableFuture<List<T>> quorum(int k, Collection<? extends AsyncResult<? extends T>> results) {
        return Engine.get().quorum(k, results);
    }

    /**
     * An {@link AsyncResult} whose {@link #value()} declares the one checked exception its
     * operation declares, or none: what a generated companion method returns for such an
     * operation. For {@code String getName(int number) throws NoSuchEmployee} the companion has
     * {@code AsyncResult.Throwing<String, NoSuchEmployee> getName(int number)}, and
     * {@code value()} is declared {@code throws NoSuchEmployee}. An operation that declares no
     * checked exception gets {@code Throwing<T, RuntimeException>}: its {@code value()} needs no
     * {@code try}. The fluent methods return this type, so a chain such as
     * {@code getName(99).expireAfter(d).value()} keeps it.
     *
     * <p>Why it is so: "Typed results" in the {@linkplain dev.hermod package documentation}.
     *
     * <p>Instances are thread-safe, as every {@code AsyncResult}.
     *
     * @param <T> the operation's result type ({@link Void} for {@code void})
     * @param <X> the operation's checked exception; {@link RuntimeException} when it declares none
     * @since 0.1
     */
    interface Throwing<T, X extends Exception> extends AsyncResult<T> {
        /**
         * Waits for the outcome and returns the value, or throws what the synchronous call would
         * have thrown; see {@link AsyncResult#value()}.
         *
         * @return the value; null for {@code void} operations
         * @throws X the operation's declared exception, as itself
         * @throws RpcException if the invocation failed otherwise (unchecked)
         */
        @Override
        T value() throws X;

        @Override
        Throwing<T, X> waitForCompleted() throws InterruptedException;

        @Override
        Throwing<T, X> waitForSent() throws InterruptedException;

        @Override
        Throwing<T, X> expireAfter(Duration timeout);

        @Override
        Throwing<T, X> onResponse(Consumer<? super T> callback);

        @Override
        Throwing<T, X> onException(Consumer<? super Throwable> callback);

        @Override
        Throwing<T, X> onComplete(BiConsumer<? super T, ? super Throwable> callback);

        @Override
        Throwing<T, X> onSent(Consumer<Boolean> callback);

        @Override
        Throwing<T, X> onProgress(Consumer<? super Progress> callback);
    }

    /**
     * An {@link AsyncResult} whose {@link #value()} declares the two checked exceptions its
     * operation declares: what a generated companion method returns for such an operation. For
     * {@code Vm start(String id) throws NoSuchVm, AccessDenied} the companion has
     * {@code AsyncResult.Throwing2<Vm, NoSuchVm, AccessDenied> start(String id)}. See
     * {@link Throwing} for the design and its trade-offs.
     *
     * <p>Instances are thread-safe, as every {@code AsyncResult}.
     *
     * @param <T> the operation's result type ({@link Void} for {@code void})
     * @param <X1> the operation's first declared checked exception
     * @param <X2> the operation's second declared checked exception
     * @since 0.1
     */
    interface Throwing2<T, X1 extends Exception, X2 extends Exception> extends AsyncResult<T> {
        /**
         * Waits for the outcome and returns the value, or throws what the synchronous call would
         * have thrown; see {@link AsyncResult#value()}.
         *
         * @return the value; null for {@code void} operations
         * @throws X1 the operation's first declared exception, as itself
         * @throws X2 the operation's second declared exception, as itself
         * @throws RpcException if the invocation failed otherwise (unchecked)
         */
        @Override
        T value() throws X1, X2;

        @Override
        Throwing2<T, X1, X2> waitForCompleted() throws InterruptedException;

        @Override
        Throwing2<T, X1, X2> waitForSent() throws InterruptedException;

        @Override
        Throwing2<T, X1, X2> expireAfter(Duration timeout);

        @Override
        Throwing2<T, X1, X2> onResponse(Consumer<? super T> callback);

        @Override
        Throwing2<T, X1, X2> onException(Consumer<? super Throwable> callback);

        @Override
        Throwing2<T, X1, X2> onComplete(BiConsumer<? super T, ? super Throwable> callback);

        @Override
        Throwing2<T, X1, X2> onSent(Consumer<Boolean> callback);

        @Override
        Throwing2<T, X1, X2> onProgress(Consumer<? super Progress> callback);
    }
}
