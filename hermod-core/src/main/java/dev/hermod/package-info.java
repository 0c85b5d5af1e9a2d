/**
 * Hermod: Java RPC centred on asynchronous method invocation. A {@link Remote} interface is the
 * contract; {@link Server} serves implementations of it, and {@link Client} makes proxies whose
 * methods call it, synchronously or through an {@link AsyncResult}. The types' own documentation
 * says how to use each; what follows are the longer explanations they point to.
 *
 * <h2>Oneway and batched results</h2>
 * A oneway call ({@link Hermod#oneway}) has no response. Its result completes with null when the
 * request is handed to the transport (already when the call returns, if that happened within
 * it); the result of a oneway call on a batch proxy ({@link Hermod#batch}) is complete when the
 * call returns, and is sent when its batch is handed to the transport. On both, response
 * callbacks ({@link AsyncResult#onResponse}) never run, as in Ice: there is no response to give
 * them, and Hermod does not make one up. Completion callbacks ({@link AsyncResult#onComplete})
 * and dependent stages run with null when the result completes; exception callbacks run only if
 * the call fails before it completes (refused, canceled, or its connection lost before the
 * hand-over); sent callbacks run when the request is handed over. A request lost after that is
 * not reported. A flush ({@link Hermod#flushAsync}) has a result of the same kind: sent when the
 * batch is handed to the transport, complete when it is written.
 *
 * <h2>Typed results</h2>
 * Why {@link AsyncResult.Throwing} and {@link AsyncResult.Throwing2} are what they are:
 * <ul>
 * <li><b>A type parameter, not a generated type.</b> The exception is a type argument of one
 *     interface that Hermod's single result implementation implements, so a typed result
 *     costs nothing at run time: no wrapper, no allocation, and it is still an
 *     {@code AsyncResult}, a {@code CompletionStage} and a {@code Future}, accepted by
 *     {@link AsyncResult#all}, {@link AsyncResult#any} and {@link dev.hermod.flow.Window#submit}. A generated
 *     handle per operation would have needed a wrapper per call.</li>
 * <li><b>A small family.</b> Java has no variadic type parameters, so there is one type per
 *     number of checked exceptions: {@link AsyncResult.Throwing} for none or one,
 *     {@link AsyncResult.Throwing2} for two. A
 *     contract that declares more gets {@code Throwing} of their closest common superclass
 *     ({@code IOException} for three {@code IOException} subclasses, {@code Exception} at
 *     worst). Exceptions that subclass another declared one, unchecked exceptions and
 *     Hermod's {@link RpcException}s take no place.</li>
 * <li><b>The promise rests on Hermod, as the synchronous proxy's does.</b> Type arguments are
 *     erased; what makes {@code throws NoSuchEmployee} true is that the invocation only lets
 *     through the checked exceptions the operation declares: anything else the servant throws
 *     arrives as a {@link RemoteException}, and an interrupted wait as an
 *     {@link InvocationCanceledException}, both unchecked. Hermod checks that the type
 *     arguments cover the operation's declared checked exceptions when it reads a
 *     hand-written companion (an {@code IllegalArgumentException} at proxy creation), and
 *     the annotation processor checks the same at compile time.</li>
 * <li><b>Kept only while the static type is kept.</b> Assigned to {@code AsyncResult<T>},
 *     the result's {@code value()} is {@code throws Exception} again. Use {@code var} or
 *     this type for variables and fields, and {@code List<? extends AsyncResult<T>>} for
 *     collections that mix operations.</li>
 * </ul>
 *
 * <h2>Hedged and quorum calls</h2>
 * {@link AsyncResult#hedge} cuts the tail latency of an idempotent call: when the first attempt
 * has not been answered within the delay, it sends another, to the same server or to another
 * replica, and takes whichever answers first:
 * <pre>{@code
 * AtomicInteger next = new AtomicInteger();
 * CompletableFuture<Long> balance = AsyncResult.hedge(Duration.ofMillis(50), 2,
 *         () -> replicas.get(next.getAndIncrement() % replicas.size()).balance("alice"));
 * }</pre>
 * The supplier makes one attempt per call: a new invocation each time. The first is made at once,
 * in the calling thread; each further one, up to the given number of attempts, {@code delay} after
 * the previous one, on the first attempt's callback executor (the client's), never on a Hermod I/O
 * or timer thread. An attempt that ends without an answer from a servant brings the next one
 * forward: it failed with {@link Status#UNAVAILABLE} (connection refused or lost), {@link
 * Status#RESOURCE_EXHAUSTED}, {@link Status#TIMEOUT} (its own deadline), {@link Status#CANCELED},
 * or as {@linkplain RpcException#isUnprocessed() unprocessed}. Anything else is an answer: a
 * value, a declared exception, a {@link RemoteException}. The future completes with the first
 * answer, or, when every attempt ended without one, with the last attempt's failure. However it
 * completes (by an answer, by {@code cancel}, {@code complete} or {@code orTimeout}), the attempts
 * still in progress are canceled: a request not yet written is never sent, and one already written
 * gets a CANCEL frame, so that its servant sees {@link Current#isCanceled()}.
 *
 * <p>A second attempt may run the operation a second time, so only operations marked {@link
 * Idempotent} may be hedged: Hermod checks each attempt against its contract and refuses one that
 * is not idempotent, a oneway or batched call (there is no answer to wait for), a call with
 * streams (a stream cannot be sent twice) and a result the supplier already gave, with an {@link
 * IllegalArgumentException}: thrown by {@code hedge} for the first attempt, failing the future for
 * a later one. The refused attempt is canceled, and so are the others. A dynamic invocation
 * ({@link Client#invoke}) has no contract to check: the caller vouches for it. {@link Deduplicated}
 * does not make an operation hedgeable: each attempt is a call of its own, with its own call id.
 *
 * <p>{@link AsyncResult#quorum} waits for {@code k} of {@code n} results, typically the same call
 * made on {@code n} replicas, and completes with the first {@code k} values in the order they
 * arrived (each result still tells which replica it came from: {@link AsyncResult#connection()}).
 * As soon as more than {@code n - k} have failed it fails with a {@link QuorumException} that
 * carries those failures. Then the remaining results are canceled on their servers.
 * {@link AsyncResult#all} and {@link AsyncResult#any} cancel in the same way.
 *
 * @since 0.1
 */
package dev.hermod;
