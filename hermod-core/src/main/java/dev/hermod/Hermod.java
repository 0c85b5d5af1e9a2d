package dev.hermod;

import dev.hermod.connection.Connection;
import dev.hermod.internal.bridge.Engine;
import dev.hermod.internal.bridge.ProxyControl;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Entry point of Hermod: creates clients and servers, and derives proxies with other options.
 *
 * <pre>{@code
 * try (Server server = Hermod.server().add("employees", Employees.class, impl).start();
 *      Client client = Hermod.client("tcp://localhost:" + server.port())) {
 *     Employees employees = client.proxy(Employees.class, "employees");
 *     String name = employees.getName(99);
 * }
 * }</pre>
 *
 * <p>All methods are thread-safe.
 *
 * @since 0.1
 */
public final class Hermod {
    private Hermod() {}

    /**
     * Returns a client for a server with default settings. Does no I/O: the connection opens on
     * the first call.
     *
     * @param target {@code tcp://host:port}, {@code tls://host:port}, {@code inproc://name} for a
     *     server in this JVM ({@link Server.Builder#inProcess}), a list of servers
     *     ({@code tcp://a:4061,b:4061}) or a target a resolver on the class path takes (see
     *     {@link Client.Builder#target})
     * @return a new client; close it when done
     * @throws IllegalArgumentException if the target is not of one of those forms
     */
    public static Client client(String target) {
        return client().target(target).build();
    }

    /**
     * Returns a builder for a client.
     *
     * @return a new builder
     */
    public static Client.Builder client() {
        return new Client.Builder();
    }

    /**
     * Returns a builder for a server.
     *
     * @return a new builder
     */
    public static Server.Builder server() {
        return new Server.Builder();
    }

    /**
     * Returns a proxy for the same service and client as {@code proxy}, whose calls use options
     * derived from the proxy's own. Cheap enough to use for a single call:
     *
     * <pre>{@code
     * Hermod.withOptions(employees, o -> o.withTimeout(Duration.ofSeconds(2))).getName(99);
     * }</pre>
     *
     * @param proxy a proxy obtained from a {@link Client}
     * @param change computes the new options from the proxy's current ones
     * @param <T> the contract type
     * @return a new proxy; {@code proxy} itself is unchanged
     * @throws IllegalArgumentException if {@code proxy} is not a Hermod proxy
     */
    public static <T> T withOptions(T proxy, UnaryOperator<CallOptions> change) {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(change, "change");
        return control(proxy).withOptions(proxy, change);
    }

    /**
     * Returns a proxy for the same target as {@code proxy}, with the same options and mode, that
     * implements another contract: usually the asynchronous companion the annotation processor
     * generates, to make asynchronous calls through a proxy one has received, such as a
     * listener a client passed to a server.
     *
     * <pre>{@code
     * ListenerAsync async = Hermod.as(listener, ListenerAsync.class);
     * async.onEvent(event).onException(e -> drop(listener));
     * }</pre>
     *
     * <p>Nothing checks that the target serves {@code contract}: calls of operations it does not
     * have fail with {@link OperationNotFoundException} (Ice's {@code uncheckedCast}).
     *
     * @param proxy a Hermod proxy
     * @param contract the contract the new proxy implements
     * @param <U> the contract type
     * @return a new proxy; {@code proxy} itself is unchanged
     * @throws IllegalArgumentException if {@code proxy} is not a Hermod proxy or {@code contract}
     *     is not a valid contract
     */
    public static <U> U as(Object proxy, Class<U> contract) {
        return control(Objects.requireNonNull(proxy, "proxy")).as(contract);
    }

    /**
     * Returns a oneway proxy for the same service: its calls send the request and expect no
     * reply (ZeroC Ice's {@code ice_oneway}). A synchronous call returns once the request is
     * handed to the transport (or, when flow control holds it back, once the transport takes it);
     * an asynchronous one returns an {@link AsyncResult} that completes with null then (already
     * when the call returns, if the transport took it at once). Having no response, that result
     * never runs a response callback ({@link AsyncResult#onResponse}), as in Ice; its sent,
     * completion and exception callbacks and its dependent stages work as for any result, and
     * {@link AsyncResult#cancel()} withdraws a request the transport has not taken yet. A request
     * lost after the hand-over, because the connection fails, is not reported: that is the nature
     * of oneway calls. The server runs the oneway calls of one connection one at a time, in the
     * order sent, and reports their failures only in its log.
     *
     * <p>Only operations that return {@code void} and declare no exceptions can be called oneway;
     * calling another operation on a oneway proxy throws {@link UnsupportedOperationException} at
     * once, and nothing is sent.
     *
     * @param proxy a proxy obtained from a {@link Client}
     * @param <T> the contract type
     * @return a new oneway proxy; {@code proxy} itself is unchanged
     * @throws IllegalArgumentException if {@code proxy} is not a Hermod proxy
     */
    public static <T> T oneway(T proxy) {
        Objects.requireNonNull(proxy, "proxy");
        return control(proxy).oneway(proxy);
    }

    /**
     * Returns a blocking view of a stream, for simple uses: a sequential {@link java.util.stream.Stream}
     * that subscribes to {@code publisher} at once and yields its items in order, the reading thread
     * waiting for each. It buffers at most {@code buffer} items: it asks the publisher for that many,
     * and for more each time the reader has taken half of them, so a reader slower than the stream
     * holds the producer back rather than filling memory (with a Hermod stream, through credit on
     * the wire). A failure of the stream is thrown by the terminal operation: an unchecked exception
     * as it is ({@link RpcException} and its subtypes, such as {@link InvocationTimeoutException}
     * when the call's deadline ends the stream), a checked one (an exception the operation declares)
     * wrapped in {@link java.util.concurrent.CompletionException}. Closing the stream, or
     * interrupting the reading thread, cancels the subscription (for a Hermod stream, the call on the
     * server). A wait lasts until the next item or the end: a Hermod stream ends at the latest at its
     * call's deadline.
     *
     * <p>The returned stream is for one thread, like any {@code Stream}; use it in
     * try-with-resources so that leaving early cancels the rest.
     *
     * @param publisher the stream, typically what a proxy's {@code Flow.Publisher} operation returned
     * @param buffer the most items kept waiting for the reader, at least 1
     * @param <T> the item type
     * @return the blocking view; its items are never null
     * @throws IllegalArgumentException if {@code buffer} is less than 1
     * @since 0.2
     */
    public static <T> java.util.stream.Stream<T> blockingStream(java.util.concurrent.Flow.Publisher<T> publisher,
            int buffer) {
        Objects.requireNonNull(publisher, "publisher");
        if (buffer < 1) {
            throw new IllegalArgumentException("buffer must be at least 1, not " + buffer);
        }
        return BlockingStream.of(publisher, buffer);
    }

    /**
     * Returns a proxy for the same service whose calls all go to one server, for a client whose
     * target has several ({@code tcp://a:4061,b:4061}, a resolver's): a server that keeps state
     * between calls, such as a session or a cursor, sees them all. The first call picks the
     * server as the client's {@link dev.hermod.resolve.LoadBalancing} policy would; later calls,
     * oneway calls and batches of this proxy and of proxies derived from it ({@link #withOptions},
     * {@link #oneway}, {@link #batch}, {@link #as}) go there too while it can take calls. If it
     * cannot (its connection failed, it is going away, the resolver removed it), the next call
     * picks another and keeps to that one (Dubbo's {@code sticky}). Each call of {@code sticky}
     * pins anew. For a client of one server, and for an object reference (whose calls go to the
     * server that holds the object anyway), returns {@code proxy} itself.
     *
     * @param proxy a proxy obtained from a {@link Client}
     * @param <T> the contract type
     * @return a new sticky proxy, or {@code proxy}
     * @throws IllegalArgumentException if {@code proxy} is not a Hermod proxy
     * @since 0.3
     */
    public static <T> T sticky(T proxy) {
        Objects.requireNonNull(proxy, "proxy");
        return control(proxy).sticky(proxy);
    }

    /**
     * Returns a batch proxy for the same service, with a queue of its own (ZeroC Ice's
     * {@code ice_batchOneway}, extended to two-way calls). Its calls are queued locally, with
     * their arguments encoded at once, and sent together in as few frames as possible when the
     * queue is flushed: explicitly ({@link #flush}, {@link #flushAsync},
     * {@link Client#flushBatches()}, {@link Connection#flushBatches()}), or by itself when it
     * holds {@link Client.Builder#batchFlushSize} bytes. The server runs the requests of a batch
     * one at a time, in the order they were queued.
     *
     * <ul>
     *   <li>An operation that returns {@code void} and declares no exceptions is queued oneway: a
     *       synchronous call returns at once, an asynchronous one returns a result that is already
     *       complete (with null) when the call returns, as in Ice. As for {@link #oneway} calls,
     *       that result never runs a response callback; it is {@linkplain AsyncResult#isSent()
     *       sent}, and runs its sent callbacks, when its batch is handed to the transport.
     *   <li>Any other operation is queued two-way through its asynchronous form (a contract method
     *       returning {@code AsyncResult}, or the generated companion): the call returns an
     *       {@link AsyncResult} that completes with the reply after the flush. Canceled or expired
     *       before its batch is handed to the transport, it is left out of the batch and never
     *       sent. Its synchronous form throws {@link UnsupportedOperationException}, since it
     *       could only wait for a flush that has not happened.
     * </ul>
     *
     * <p>Queued requests belong to the proxy, not to a connection: a connection that fails loses
     * only what was being flushed over it (the flush fails; two-way requests in it fail), and
     * requests queued afterwards go over the next connection. Requests left in the queue of a
     * proxy that is garbage-collected are never sent; flush before dropping it.
     *
     * @param proxy a proxy obtained from a {@link Client}
     * @param <T> the contract type
     * @return a new batch proxy with an empty queue
     * @throws IllegalArgumentException if {@code proxy} is not a Hermod proxy
     */
    public static <T> T batch(T proxy) {
        Objects.requireNonNull(proxy, "proxy");
        return control(proxy).batch(proxy);
    }

    /**
     * Sends what a batch proxy has queued and waits until it is written (Ice's
     * {@code ice_flushBatchRequests}). Does nothing if the queue is empty.
     *
     * @param batchProxy a proxy from {@link #batch}
     * @throws IllegalArgumentException if it is not a batch proxy
     * @throws ConnectionException if the batch could not be written
     * @throws InvocationTimeoutException if it is not written within the call timeout of the
     *     proxy's client ({@link Client.Builder#callTimeout}); it may still be written later
     */
    public static void flush(Object batchProxy) {
        control(Objects.requireNonNull(batchProxy, "batchProxy")).flush();
    }

    /**
     * Sends what a batch proxy has queued, without waiting (Ice's
     * {@code begin_ice_flushBatchRequests}). The flush has a result handle of its own: it is
     * sent ({@link AsyncResult#isSent()}, {@link AsyncResult#onSent}) once the batch is handed to
     * the transport, {@linkplain AsyncResult#sentSynchronously() synchronously} if that happens
     * within this call, and complete once the batch is written; its
     * {@link AsyncResult#connection()} is the connection it went over, its
     * {@link AsyncResult#operation()} is {@code flushBatches} and its
     * {@link AsyncResult#proxy()} the batch proxy. An empty queue gives a result that is sent
     * and complete at once. A flush cannot be withdrawn: {@link AsyncResult#cancel()} returns
     * false, and {@link AsyncResult#expireAfter} only bounds how long its waits last.
     *
     * @param batchProxy a proxy from {@link #batch}
     * @return the flush's result: it completes with null when the batch is written, or
     *     exceptionally with a {@link ConnectionException} if it could not be
     * @throws IllegalArgumentException if it is not a batch proxy
     */
    public static AsyncResult<Void> flushAsync(Object batchProxy) {
        return control(Objects.requireNonNull(batchProxy, "batchProxy")).flushAsync();
    }

    /**
     * Returns the options a proxy's calls use.
     *
     * @param proxy a proxy obtained from a {@link Client}
     * @return its options
     * @throws IllegalArgumentException if {@code proxy} is not a Hermod proxy
     */
    public static CallOptions options(Object proxy) {
        Objects.requireNonNull(proxy, "proxy");
        return control(proxy).options();
    }

    /**
     * Releases a reference to an object that the peer of a connection passed to this side (a
     * parameter or result whose type is a {@link Remote @Remote} interface): calls through it
     * then fail with {@link ObjectNotFoundException}, and the peer stops serving the object once
     * no reference to it is left. A reference is also released when its last proxy is
     * garbage-collected, and dies with its connection; releasing explicitly frees the peer's
     * object sooner. Releasing twice does nothing.
     *
     * <pre>{@code
     * public void unsubscribe(Listener listener) {
     *     listeners.remove(listener);
     *     Hermod.release(listener);
     * }
     * }</pre>
     *
     * @param reference a proxy received as an object reference, or a copy made with
     *     {@link #withOptions}, {@link #oneway} or {@link #batch}
     * @throws IllegalArgumentException if it is not a Hermod proxy, or a proxy for a named
     *     service rather than a reference
     */
    public static void release(Object reference) {
        control(Objects.requireNonNull(reference, "reference")).release();
    }

    /**
     * Returns a proxy for the object reference that {@code result} will hold, usable before the
     * call completes (promise pipelining, as in Cap'n Proto): a call on it is sent at once, over
     * the connection the first call went to and right behind it, naming that call's eventual
     * result; the server runs it on that result as soon as it exists. A chain of dependent calls
     * so costs one round trip instead of one per call:
     *
     * <pre>{@code
     * AsyncResult<Vm> vm = vms.find("web-1");                                 // VmsAsync
     * AsyncResult<Disks> disks = Hermod.pipeline(vm, VmAsync.class).disks();   // sent at once
     * List<Disk> list = Hermod.pipeline(disks, Disks.class).list();            // one round trip in all
     * }</pre>
     *
     * <p>{@code contract} is the reference's contract (its calls block, as on any proxy) or one of
     * its companions (its calls return {@link AsyncResult}s). Pipelined calls fail together with
     * the first: if {@code result} fails, every call made through the proxy fails with the same
     * exception (a checked exception the pipelined operation does not declare arrives as the cause
     * of an unprocessed {@link ObjectNotFoundException}), and those already sent are canceled on
     * the server; canceling {@code result}
     * therefore cancels the chain. Once {@code result} has completed, calls go to the reference
     * it holds like calls on any reference. A result that completes with null makes the calls
     * fail with {@link ObjectNotFoundException}. Pipelined calls are neither retried nor batched,
     * and each has its own deadline.
     *
     * <p>The proxy is thread-safe, like every proxy.
     *
     * @param result the result of a two-way call whose operation returns a {@link Remote} interface
     * @param contract that interface, a supertype or subtype of it, or a companion of one
     * @param <P> the proxy type
     * @return the proxy
     * @throws IllegalArgumentException if {@code result} is no such result, or {@code contract}
     *     does not match what it returns
     * @since 0.3
     */
    public static <P> P pipeline(AsyncResult<?> result, Class<P> contract) {
        return Engine.get().pipeline(Objects.requireNonNull(result, "result"), Objects.requireNonNull(contract, "contract"));
    }

    /**
     * Stops serving a local object that this process passed to peers as a reference, on every
     * connection at once: their calls on it fail with {@link ObjectNotFoundException} from now
     * on. Calls already running finish.
     *
     * @param servant the object that was passed
     * @return on how many connections it was exported (as how many contracts), 0 if none
     */
    public static int revoke(Object servant) {
        return Engine.get().revoke(Objects.requireNonNull(servant, "servant"));
    }

    private static ProxyControl control(Object proxy) {
        return Engine.get().control(proxy);
    }
}
