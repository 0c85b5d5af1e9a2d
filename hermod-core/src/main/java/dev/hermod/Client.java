package dev.hermod;

import dev.hermod.codec.Codec;
import dev.hermod.codec.PayloadLimits;
import dev.hermod.connection.Connection;
import dev.hermod.connection.ConnectionListener;
import dev.hermod.flow.Window;
import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.intercept.Interceptor;
import dev.hermod.intercept.ServerInterceptor;
import dev.hermod.resolve.EndpointStatus;
import dev.hermod.resolve.LoadBalancing;
import dev.hermod.resolve.NameResolver;
import dev.hermod.internal.bridge.ClientConfig;
import dev.hermod.internal.bridge.Engine;
import dev.hermod.security.Credentials;
import dev.hermod.security.Tls;
import dev.hermod.tools.ServiceDescription;
import java.time.Duration;
import java.util.Objects;

// One file, longer than most: the Builder is nested here because users name it Client.Builder,
// and its javadoc is where each setting and its default are documented.
/**
 * A client of a Hermod server, or of several replicas of one: it hands out proxies for the
 * server's services and carries their calls over connections it opens on first use.
 *
 * <p>Create one with {@link Hermod#client(String)} or {@link Hermod#client()}, obtain proxies with
 * {@link #proxy(Class, String)}, and close it when done. Creating a client does no I/O: the
 * connection is opened by the first call, and opened again by a later call if it was lost. One
 * connection carries any number of concurrent calls from any number of threads; replies are
 * matched to calls by request id and may arrive in any order.
 *
 * <p>{@link #close()} fails every outstanding call with a {@link ConnectionException} and
 * releases the client's threads; {@link #shutdown()} instead lets outstanding calls finish.
 * Calls made after either fail with {@link IllegalStateException}.
 *
 * <p>A target may name several servers that serve the same services ({@code tcp://a:4061,b:4061}),
 * or a registry that knows them ({@code dns:///...}, {@code zk://...}, through a
 * {@link NameResolver}): the client then keeps connections to each and spreads calls over them by
 * its {@link LoadBalancing} policy, leaves a server that fails or goes away, and shows them in
 * {@link #endpoints()}.
 *
 * <p>Clients are thread-safe; share one per server rather than creating one per call.
 *
 * @since 0.1
 */
public interface Client extends AutoCloseable {

    /**
     * Returns a synchronous proxy for a service: each call sends a request and waits for the
     * reply, up to the call timeout.
     *
     * <p>Proxies answer {@code equals}, {@code hashCode} and {@code toString} locally. Two
     * proxies are equal when they make the same calls: same client (or object reference), service
     * name, contract, mode (see {@link Hermod#oneway}) and options; batch proxies only to
     * themselves.
     *
     * @param contract the {@link Remote @Remote} interface the service implements
     * @param service the name the service is bound under on the server
     * @param <T> the contract type
     * @return a proxy implementing {@code contract}; thread-safe
     * @throws IllegalArgumentException if {@code contract} is not a valid contract; the message
     *     names the offending method
     */
    <T> T proxy(Class<T> contract, String service);

    /**
     * Returns a synchronous proxy for a service whose calls use the given options.
     *
     * @param contract the {@link Remote @Remote} interface the service implements
     * @param service the name the service is bound under on the server
     * @param options the timeout and context for every call through this proxy
     * @param <T> the contract type
     * @return a proxy implementing {@code contract}; thread-safe
     * @throws IllegalArgumentException if {@code contract} is not a valid contract
     */
    <T> T proxy(Class<T> contract, String service, CallOptions options);

    /**
     * Invokes an operation by name, without a contract class: for tools and scripts. Arguments
     * are sent as plain data (numbers, strings, booleans, {@code byte[]}, lists, maps for records
     * and beans) and the server decodes them as the operation's declared parameter types; the
     * result arrives as plain data too. A declared exception arrives as a {@link RemoteException}
     * whose traceback names its class and message. With no contract to name exceptions, the
     * result is a plain {@code AsyncResult<Object>}: its {@link AsyncResult#value()} is declared
     * {@code throws Exception}, although it throws only {@link RpcException}s. Uses the client's
     * default call options.
     *
     * @param service the service name
     * @param operation the operation name
     * @param args the arguments, in order
     * @return the result handle, returned at once
     * @throws IllegalStateException if the client is shut down
     * @throws UnsupportedOperationException if the codec cannot carry untyped values
     */
    AsyncResult<Object> invoke(String service, String operation, Object... args);

    /**
     * Invokes an operation by name with the given options; see {@link #invoke(String, String, Object...)}.
     *
     * @param options the timeout and context of this call
     * @param service the service name
     * @param operation the operation name
     * @param args the arguments, in order
     * @return the result handle, returned at once
     */
    AsyncResult<Object> invoke(CallOptions options, String service, String operation, Object... args);

    /**
     * Invokes by name an operation that streams its result, with arguments and items as plain
     * data, as {@link #invoke(String, String, Object...)} does for others: for tools (the
     * {@code hermod call} command) and gateways that know operations only by name. The returned
     * publisher is cold: each subscription makes one call, its {@code request(n)} is the credit
     * the server may send ahead, and its {@code cancel()} cancels the call on the server.
     * Operations that take a stream cannot be called this way.
     *
     * @param options the timeout and context of each call
     * @param service the service name
     * @param operation the operation name
     * @param args the arguments, in order
     * @return the items, published as they arrive
     * @throws UnsupportedOperationException if the codec cannot carry untyped values
     * @since 0.3
     */
    java.util.concurrent.Flow.Publisher<Object> invokeStream(CallOptions options, String service, String operation,
            Object... args);

    /**
     * Asks the server which services it offers, with their operations and types: what the
     * {@code hermod describe} command prints. Every Hermod server answers it, under the reserved
     * service name {@code hermod}.
     *
     * @return the descriptions of the services the application bound, in the order it bound them
     */
    AsyncResult<java.util.List<ServiceDescription>> describe();

    /**
     * Serves, in the calling thread, the incoming calls waiting for this client: calls the
     * server makes on objects the client passed it (RPyC's {@code poll_all}). Serves what is
     * pending and whatever becomes pending meanwhile, in order, then returns. For clients built
     * with {@link Builder#manualServing()}; other clients serve incoming calls by themselves.
     *
     * @return the number of incoming calls served
     * @throws IllegalStateException if the client serves incoming calls in the background
     */
    int poll();

    /**
     * Waits up to {@code timeout} for an incoming call, then serves it and everything else
     * pending, like {@link #poll()}.
     *
     * @param timeout how long to wait for the first call
     * @return the number of incoming calls served, 0 if none came in time
     * @throws IllegalStateException if the client serves incoming calls in the background
     * @throws InterruptedException if interrupted while waiting
     */
    int poll(Duration timeout) throws InterruptedException;

    /**
     * Sends the requests queued by every batch proxy of this client ({@link Hermod#batch}) and
     * waits until they are written (ZeroC Ice's {@code Communicator.flushBatchRequests}).
     *
     * @throws ConnectionException if a batch could not be written; its oneway requests are then
     *     lost, and its two-way requests fail
     */
    void flushBatches();

    /**
     * Sends the requests queued by every batch proxy of this client, without waiting. The flush
     * has a result handle like {@link Hermod#flushAsync}'s: sent once the batches are handed to
     * the transport, complete once they are written.
     *
     * @return the flush's result: it completes with null when every batch is written, or
     *     exceptionally with a {@link ConnectionException} if one could not be
     */
    AsyncResult<Void> flushBatchesAsync();

    /**
     * Returns the client's open connections.
     *
     * @return handles to the connections open now; empty before the first call
     */
    java.util.List<Connection> connections();

    /**
     * Returns the target this client was built with, as given: {@code tcp://host:port},
     * {@code tcp://a:4061,b:4061}, {@code tls://...}, {@code inproc://name} or a resolver's
     * {@code scheme:...}.
     *
     * @return the target
     * @since 0.3 (a {@code String}; a {@code URI} before, which cannot hold a list of IPv6 addresses)
     */
    String target();

    /**
     * Returns the endpoints this client sends calls to now, in the order its resolver reported
     * them, then those the resolver removed that still finish calls: each with its state, its
     * outstanding calls and its recent latency. Before the first call the resolver has not
     * been asked yet; this asks it, so a later call may show more. Empty for an
     * {@code inproc://} target.
     *
     * @return a snapshot, one entry per endpoint
     * @since 0.3
     */
    java.util.List<EndpointStatus> endpoints();

    /**
     * Stops accepting new calls and closes the connection once the outstanding calls have
     * completed (each still bounded by its own timeout). Returns at once.
     */
    void shutdown();

    /**
     * Closes the connection now: every outstanding call fails with a {@link ConnectionException}.
     * Returns at once; {@link #awaitTermination(Duration)} waits for the client's threads.
     */
    void shutdownNow();

    /**
     * Waits until the client has shut down and released its threads.
     *
     * @param timeout the longest time to wait
     * @return true if the client terminated, false if the timeout passed first
     * @throws InterruptedException if the calling thread is interrupted
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Tells whether {@link #shutdown()}, {@link #shutdownNow()} or {@link #close()} was called.
     *
     * @return true once shutdown has begun
     */
    boolean isShutdown();

    /**
     * Fails outstanding calls, closes the connection and waits (a few seconds at most) for the
     * client's threads to stop. Idempotent. Called on a Hermod I/O thread (from a
     * {@linkplain Builder#directCallbacks() direct callback}, say), it does not wait: the thread
     * it would wait for may be that one.
     */
    @Override
    void close();

    /**
     * Configures and builds a {@link Client}. Setters validate at once; {@link #build()} copies the
     * settings, so a builder may be reused. Not thread-safe.
     *
     * @since 0.1
     */
    final class Builder {
        /** {@link #maxConnections(int)}'s default, when {@link #connections(int)} is lower. */
        private static final int DEFAULT_MAX_CONNECTIONS = 4;
        /** {@link #spinWait(Duration)}'s default. */
        private static final Duration DEFAULT_SPIN_WAIT = Duration.ofNanos(100_000);

        private Targets.ClientTarget target;
        private Codec codec;
        private PayloadLimits payloadLimits;
        private Duration callTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private int maxFrameSize = 16 * 1024 * 1024;
        private boolean compression;
        private int ioThreads = 1;
        private java.util.concurrent.Executor callbackExecutor;
        private int batchFlushSize = 1024 * 1024;
        private long maxQueuedBytes = 16L * 1024 * 1024;
        private int connections = 1;
        private int maxConnections;
        private int maxOutstandingPerConnection;
        private int busyAt = 256;
        private Duration quietPeriod = Duration.ofSeconds(30);
        private Duration spinWait = DEFAULT_SPIN_WAIT;
        private boolean directCallbacks;
        private java.util.concurrent.Executor dispatchExecutor;
        private boolean manualServing;
        private int minReadRate = 32 * 1024;
        private Duration readGrace = Duration.ofSeconds(5);
        private Tls tls;
        private Credentials credentials;

        Builder() {}

        /**
         * Sets the server, or servers, to connect to. Required.
         *
         * @param target {@code tcp://host:port}, or {@code tls://host:port} for TLS (see
         *     {@link #tls(Tls)}); IPv6 literals in brackets; several servers that serve the same
         *     services as a list, {@code tcp://a:4061,b:4061,[::1]:4062} (each listed once);
         *     {@code inproc://name} for a server listening in this JVM
         *     ({@link Server.Builder#inProcess}); or a target of another scheme, such as
         *     {@code zk://zk1:2181/hermod/vms}, whose endpoints a {@link NameResolver} finds (see
         *     {@link #resolver}); TLS to those is set with {@link #tls(Tls)}
         * @return this builder
         * @throws IllegalArgumentException if the target is not of one of those forms; the message
         *     names the offending endpoint of a list
         */
        public Builder target(String target) {
            this.target = Targets.parse(target);
            return this;
        }

        /**
         * Adds the resolver of a target scheme, for this client: it takes precedence over one of
         * the same scheme found through {@link java.util.ServiceLoader}. Default: the resolvers on
         * the class or module path.
         *
         * @param provider makes the resolver of targets of its {@link NameResolver.Provider#scheme() scheme}
         * @return this builder
         * @throws IllegalArgumentException if the scheme is {@code tcp}, {@code tls} or
         *     {@code inproc}, Hermod's own, or not a lower-case URI scheme
         * @since 0.3
         */
        public Builder resolver(NameResolver.Provider provider) {
            Objects.requireNonNull(provider, "provider");
            String scheme = Objects.requireNonNull(provider.scheme(), "scheme");
            if (Targets.BUILT_IN.contains(scheme) || !scheme.matches("[a-z][a-z0-9+.-]*")) {
                throw new IllegalArgumentException("a resolver cannot provide the scheme '" + scheme + "': "
                        + (Targets.BUILT_IN.contains(scheme) ? "Hermod resolves it" : "not a lower-case URI scheme"));
            }
            resolvers.put(scheme, provider);
            return this;
        }

        private final java.util.Map<String, NameResolver.Provider> resolvers = new java.util.HashMap<>();

        /**
         * Sets how calls are spread over a target's endpoints when it has several. Default:
         * {@link LoadBalancing#POWER_OF_TWO_CHOICES}. Oneway calls and batches keep to one
         * endpoint while it is available, whatever the policy ({@link LoadBalancing}).
         *
         * @param policy the policy
         * @return this builder
         * @since 0.3
         */
        public Builder loadBalancing(LoadBalancing policy) {
            this.loadBalancing = Objects.requireNonNull(policy, "policy");
            return this;
        }

        private LoadBalancing loadBalancing = LoadBalancing.POWER_OF_TWO_CHOICES;

        /**
         * Sets the codec. Default: the built-in Jackson CBOR codec. The server must use the same.
         *
         * @param codec the codec
         * @return this builder
         */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Sets the default invocation timeout, used by calls whose {@link CallOptions} set none.
         * Default: 30 seconds. A timeout of 100 years or more means no deadline, as
         * {@link CallOptions#withoutDeadline()}; no value overflows. It also bounds how long
         * {@link #flushBatches()} and {@link Hermod#flush} wait.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = Targets.positive(timeout, "callTimeout");
            return this;
        }

        /**
         * Sets how long opening a connection may take: the TCP connect, and then the
         * same time again for Hermod's handshake (preamble and settings, and authentication). A
         * peer that accepts and does not answer fails the calls waiting for it with a
         * {@link ProtocolException}. Default: 10 seconds.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Targets.positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Sets how often an idle connection sends a heartbeat. A connection on which nothing has
         * been received for three intervals is presumed dead and closed, failing its calls.
         * Default: 10 seconds; {@link Duration#ZERO} disables heartbeats.
         *
         * @param interval a non-negative duration
         * @return this builder
         */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = Targets.nonNegative(interval, "heartbeatInterval");
            return this;
        }

        /**
         * Sets the slowest a frame from the server may arrive: once a frame has begun to
         * arrive, its bytes must keep coming at {@code bytesPerSecond} on average, counted after
         * {@code grace}; otherwise the connection is closed and its calls fail with
         * {@link ConnectionException}. Default: 32 KiB/s after 5 seconds, as on the server; a
         * client that takes large replies over a slow link may lower it, and 0 turns it off.
         *
         * @param bytesPerSecond 0 or more
         * @param grace a non-negative duration
         * @return this builder
         */
        public Builder minReadRate(int bytesPerSecond, Duration grace) {
            this.minReadRate = Targets.readRate(bytesPerSecond);
            this.readGrace = Targets.nonNegative(grace, "grace");
            return this;
        }

        /**
         * Sets whether this client compresses the payloads of its requests (LZ4) and asks for its
         * results compressed, for calls whose {@link CallOptions} say nothing else. Only payloads of at least 1 KiB that get shorter are sent
         * compressed, and only to a server that announced it reads them (any Hermod server does).
         * Worth it for large, repetitive payloads over a slow network; on loopback it costs CPU
         * time. Default: off.
         *
         * @param on whether to compress
         * @return this builder
         */
        public Builder compression(boolean on) {
            this.compression = on;
            return this;
        }

        /**
         * Sets the largest frame this client accepts, in bytes, and sends at most. It is announced to
         * the server when a connection opens, so a reply the server would make larger fails that
         * one call with a {@link MarshalException} (status {@code MARSHAL}) and the connection goes
         * on; a request larger than this limit or the server's fails with a
         * {@link MarshalException} marked unprocessed, without being sent. Default: 16 MiB.
         *
         * @param bytes at least 1024
         * @return this builder
         */
        public Builder maxFrameSize(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxFrameSize must be at least 1024: " + bytes);
            }
            this.maxFrameSize = bytes;
            return this;
        }

        /**
         * Sets how long a thread blocked on an outcome (a synchronous call, or
         * {@link AsyncResult#value()} and the other waits of an asynchronous one) busy-waits
         * before it parks. A parked thread is woken by a system call and a reschedule, which on a
         * fast network is a large part of a round trip: over loopback on two vCPUs, spinning took
         * the median synchronous round trip from about 1.95 to 1.2 to 1.7 times a plain blocking
         * socket's ({@code hermod-bench latency}). A spinning thread uses its core meanwhile.
         *
         * <p>The spinning adapts: it stops while this client's outcomes take longer than the
         * limit, and tries again now and then; at most half the processors' worth of threads spin
         * at once in the process, none on a single processor; virtual threads never spin, so as
         * not to hold their carrier. Default: 100 µs, about a round trip within a rack.
         *
         * @param limit the longest a wait spins, at most a second; {@link Duration#ZERO} never
         *     spins
         * @return this builder
         * @throws IllegalArgumentException if {@code limit} is negative or over a second
         * @since 0.4
         */
        public Builder spinWait(Duration limit) {
            if (Targets.nonNegative(limit, "spinWait").compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("spinWait must be at most a second: " + limit);
            }
            this.spinWait = limit;
            return this;
        }

        /**
         * Sets the number of I/O threads the client owns. Default: 1.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads must be at least 1: " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /**
         * Sets the executor that runs the callbacks of {@link AsyncResult}s (response, exception,
         * completion, progress, and sent callbacks that do not run in the calling thread) and their
         * dependent stages. The client borrows it and does not shut it down. Default: an owned pool
         * with one daemon thread per processor (at least two).
         *
         * <p>Results that arrive together (in one turn of an I/O thread, up to 64) reach the
         * executor as one task, and their callbacks run one after another in it: a callback that
         * blocks delays the others of its turn. Hand long or blocking work to an executor of your
         * own.
         *
         * <p>Callbacks never run on the client's I/O threads, whatever the executor, unless the
         * client is built with {@link #directCallbacks()}: a task it runs
         * in the thread that hands it over (an executor such as {@code Runnable::run}, or a pool
         * with {@code CallerRunsPolicy} once it is full) moves to the common
         * {@link java.util.concurrent.ForkJoinPool} when that thread is an I/O thread, as do tasks
         * the executor refuses.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder callbackExecutor(java.util.concurrent.Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Completes results on the I/O thread that reads their reply, with no hand-off to the
         * callback executor: the reply is decoded there, and the response, exception and
         * completion callbacks registered by then, and the stages derived without
         * {@code *Async}, run there, one after another. The client's counterpart of
         * {@link Server.Builder#directExecutor()}, and the fastest way to receive results: one
         * thread hand-off fewer per call, and a call made from such a callback is written by the
         * thread that is already on the connection. For callbacks that are short and never block.
         *
         * <p>A callback that blocks (sleeps, waits on a lock, does blocking I/O) stalls every
         * connection of that I/O thread, and the replies they bring, for as long as it blocks.
         * Waiting for another result there ({@link AsyncResult#value()}, {@code get}, a
         * synchronous call, a full {@link dev.hermod.flow.Window}) fails at once with
         * {@link IllegalStateException} instead of deadlocking, and {@link Client#close()} called
         * there returns without waiting for the client's threads to end. A {@code CompletableFuture} from
         * {@link AsyncResult#toCompletableFuture()} is the JDK's and cannot tell: its
         * {@code join} there would block the thread for good.
         *
         * <p>Everything else keeps to the {@linkplain #callbackExecutor callback executor}: callbacks
         * added after the result completed, {@code *Async} stages, progress and sent callbacks,
         * streams, connection events, and results completed other than by a reply (a timeout, a
         * cancellation, a lost connection). So does a result whose progress is listened to, whose
         * reports must come first. Default: off.
         *
         * @return this builder
         * @since 0.4
         */
        public Builder directCallbacks() {
            this.directCallbacks = true;
            return this;
        }

        /**
         * Sets how many bytes a batch proxy may queue before it flushes by itself. Default: 1 MiB
         * (and never more than the maximum frame size).
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder batchFlushSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("batchFlushSize must be positive: " + bytes);
            }
            this.batchFlushSize = bytes;
            return this;
        }

        /**
         * Sets flow control: how many bytes of requests a connection may hold back while the
         * network cannot take them (because the server reads slower than the client sends).
         * Requests held back are not yet sent ({@link AsyncResult#isSent()} is false) and are
         * written in order as soon as the network takes bytes again; their sent callbacks run
         * then. When the limit is reached, an asynchronous call fails at once with an
         * {@link RpcException} of status {@link Status#RESOURCE_EXHAUSTED}, marked unprocessed,
         * so the caller can slow down and retry; a synchronous call is held back anyway, since it
         * blocks its thread until answered. {@link Window} keeps a caller within bounds without
         * ever meeting the limit. Default: 16 MiB.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxQueuedBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxQueuedBytes must be positive: " + bytes);
            }
            this.maxQueuedBytes = bytes;
            return this;
        }

        /**
         * Sets how many connections the client opens to the server and spreads its calls over
         * (the oVirt SDK's {@code connections}): each call goes to the connection with the
         * fewest calls outstanding. They are opened as calls need them, never before the first
         * call. Default: 1.
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder connections(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("connections must be at least 1: " + count);
            }
            this.connections = count;
            return this;
        }

        /**
         * Caps the calls outstanding on one connection (the oVirt SDK's {@code pipeline}). When
         * every connection is at its cap, the client opens more, up to
         * {@link #maxConnections(int)}; beyond that, calls wait in line, in order, for a reply to
         * free a slot (each still bounded by its own deadline). Default: 0, no cap: any number of
         * calls share a connection.
         *
         * @param max 0 for no cap, or at least 1
         * @return this builder
         */
        public Builder maxOutstandingPerConnection(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxOutstandingPerConnection must not be negative: " + max);
            }
            this.maxOutstandingPerConnection = max;
            return this;
        }

        /**
         * Sets the most connections the client opens to one server: when every connection is at
         * its cap ({@link #maxOutstandingPerConnection(int)}), or when they are busy
         * ({@link #adaptivePool(int, Duration)}). Default: 4, or {@link #connections(int)} if
         * that is more. {@code maxConnections(connections)} keeps the pool at a fixed size.
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder maxConnections(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1: " + count);
            }
            this.maxConnections = count;
            return this;
        }

        /**
         * Tunes how the connection pool adapts to load, which it does by default so that nobody
         * needs to guess a per-connection cap. When even the least loaded connection has had
         * {@code busyAt} calls outstanding for most of 100 ms, the client opens one more
         * connection in the background (calls go on meanwhile), up to
         * {@link #maxConnections(int)}, and spreads calls over it. It keeps the new connection
         * only if calls then complete at least 1.2 times as fast: for 1.2 seconds it compares
         * the calls completed in windows of 100 ms with the new connection taking calls and
         * without it, in three rounds that must all show the gain. A connection that does not pay off (the processors, not the connections,
         * hold calls back, as on a small machine running both sides) is given back, closing once
         * its calls are answered, and the pool keeps its size for 5 seconds, twice as long after
         * each connection given back in a row, up to 80. Requests held back by flow control
         * ({@link #maxQueuedBytes(long)}, which bounds each connection) do not make it grow: they
         * say the server reads slower than the client sends. A connection beyond
         * {@link #connections(int)} closes once it has carried no call for {@code quietPeriod}.
         * Oneway calls and batches stay on one connection whatever the pool's size, so their
         * order holds. Default: 256 calls and 30 seconds.
         *
         * @param busyAt outstanding calls on the least loaded connection that make the pool grow;
         *     0 never grows it for load (only {@link #maxOutstandingPerConnection(int)} does)
         * @param quietPeriod how long an extra connection may go unused before it closes;
         *     {@link Duration#ZERO}: extra connections stay open
         * @return this builder
         * @since 0.4
         */
        public Builder adaptivePool(int busyAt, Duration quietPeriod) {
            if (busyAt < 0) {
                throw new IllegalArgumentException("busyAt must not be negative: " + busyAt);
            }
            this.busyAt = busyAt;
            this.quietPeriod = Targets.nonNegative(quietPeriod, "quietPeriod");
            return this;
        }

        /**
         * Sets the executor that serves incoming calls: calls the server makes on objects this
         * client passed it as references (callbacks, listeners). Default: virtual threads on
         * JDK 21 and later, a pool of up to 64 threads before; calls run in the background
         * (RPyC's {@code BgServingThread}) as soon as they arrive.
         *
         * @param executor runs incoming calls
         * @return this builder
         * @throws IllegalStateException if {@link #manualServing()} was chosen
         */
        public Builder dispatchExecutor(java.util.concurrent.Executor executor) {
            if (manualServing) {
                throw new IllegalStateException("manualServing() and dispatchExecutor() exclude each other");
            }
            this.dispatchExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Serves incoming calls only when the application asks, with {@link Client#poll()} or
         * {@link Client#poll(Duration)}, in the thread that polls: for applications with a loop
         * of their own, such as a user interface thread. Incoming calls wait until then, in the
         * order they arrived. Poll often: while calls wait, a server that calls this client
         * synchronously waits too, and past 1,024 waiting calls the client stops reading the
         * connection, which holds back the replies to its own calls as well.
         *
         * @return this builder
         * @throws IllegalStateException if a {@link #dispatchExecutor} was set
         */
        public Builder manualServing() {
            if (dispatchExecutor != null) {
                throw new IllegalStateException("manualServing() and dispatchExecutor() exclude each other");
            }
            this.manualServing = true;
            return this;
        }

        // How the client heals after failures (issue 14): see the setters below.
        private Duration backoffInitial = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(2);
        private int maxAttempts = 5;
        private double budgetRatio = 0.2;
        private int budgetMinPerSecond = 10;
        private ConnectionListener connectionListener;
        private Duration idleTimeout = Duration.ZERO;
        private Duration restartWait = Duration.ofSeconds(5);

        /**
         * Sets the backoff between connection attempts after one failed: the n-th failure in a
         * row waits {@code min(max, initial × 2^(n-1))}, its upper half chosen at random, before
         * the next call may try again. Meanwhile calls that find no open connection fail at
         * once with an unprocessed {@link ConnectionException} ({@link Status#UNAVAILABLE})
         * instead of each waiting for a connect timeout, and are re-sent as
         * {@link #maxAttempts(int)} allows. Default: 100 ms, at most 2 s.
         *
         * @param initial the backoff after the first failure; positive
         * @param max the longest backoff; at least {@code initial}
         * @return this builder
         * @since 0.2
         */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("reconnectBackoff needs 0 < initial <= max: " + initial + ", " + max);
            }
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /**
         * Sets the most times one call is sent, the first time included. A call is sent again,
         * within its deadline and the {@link #retryBudget retry budget}, when it failed with
         * {@link Status#UNAVAILABLE} (the connection was lost or refused it, or the server is
         * unreachable or going away) and either {@link RpcException#isUnprocessed()} says the
         * server never ran it, or its operation is {@link Idempotent}. Waiting for a server to
         * come back (see {@link #reconnectBackoff}) does not count as an attempt, and neither do
         * up to {@code attempts} refusals by servers going away (a GOAWAY that says the server
         * did not take the request: it did no work for it). Default: 5; 1 turns retries off.
         *
         * @param attempts at least 1
         * @return this builder
         * @since 0.2
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1: " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Bounds retries so that they cannot multiply an outage (Finagle's and gRPC's retry
         * budgets): over the last 10 seconds, the calls that were sent again may be at most
         * {@code ratio} of the calls started, plus {@code minPerSecond} for each of those
         * seconds so that a quiet client can still retry. Each call counts once however often
         * it is re-sent. A call the budget does not allow to retry fails with its failure.
         * Default: 0.2 and 10.
         *
         * @param ratio from 0 to 1000
         * @param minPerSecond at least 0
         * @return this builder
         * @since 0.2
         */
        public Builder retryBudget(double ratio, int minPerSecond) {
            if (!(ratio >= 0 && ratio <= 1000) || minPerSecond < 0) {
                throw new IllegalArgumentException("retryBudget needs 0 <= ratio <= 1000 and minPerSecond >= 0: "
                        + ratio + ", " + minPerSecond);
            }
            this.budgetRatio = ratio;
            this.budgetMinPerSecond = minPerSecond;
            return this;
        }

        /**
         * Sets who hears about connection attempts and state changes. Default: nobody.
         *
         * @param listener runs on the callback executor, one event at a time
         * @return this builder
         * @since 0.2
         */
        public Builder connectionListener(ConnectionListener listener) {
            this.connectionListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Closes connections that have been unused for {@code timeout}: no call either way in
         * flight, none started for that long, and no object reference across them (Ice's
         * inactivity timeout; heartbeats do not count as use). The next call opens a new
         * connection. Default: zero, never. {@link Server.Builder#idleTimeout} does the same
         * from the server's side.
         *
         * @param timeout zero or positive
         * @return this builder
         * @since 0.2
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Targets.nonNegative(timeout, "idleTimeout");
            return this;
        }

        /**
         * Sets how long calls wait for a server that went away to come back (a restart) before
         * failing. While a server the client was connected to has been unreachable for less than
         * this, a call that finds no connection is not failed but sent once a connection opens
         * again, within its own deadline and as {@link #maxAttempts(int)} and the
         * {@link #retryBudget retry budget} allow. A server never reached, or gone for longer,
         * fails calls at once with an unprocessed {@link ConnectionException}. Default: 5 s;
         * zero fails them at once always.
         *
         * @param wait zero or positive
         * @return this builder
         * @since 0.2
         */
        public Builder restartWait(Duration wait) {
            Targets.nonNegative(wait, "restartWait");
            this.restartWait = wait;
            return this;
        }

        private dev.hermod.internal.bridge.Healing healing() {
            return new dev.hermod.internal.bridge.Healing(backoffInitial, backoffMax, maxAttempts, budgetRatio,
                    budgetMinPerSecond, connectionListener, idleTimeout, restartWait);
        }

        /**
         * Sets what one received payload (a result, or the arguments of a call to an object this
         * client exported) may make the default codec build ({@link PayloadLimits}); a result
         * beyond them fails its call with {@link Status#RESOURCE_EXHAUSTED}. Default:
         * {@link PayloadLimits#defaults()}.
         *
         * @param limits the limits
         * @return this builder
         * @since 0.2
         */
        public Builder payloadLimits(PayloadLimits limits) {
            this.payloadLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Sets how this client speaks TLS to its {@code tls://} target: whom it trusts, whether it
         * checks the server's host name (it does by default), its own certificate for mutual TLS
         * ({@link Tls}). Default for a {@code tls://} target: the JDK's trusted authorities, host
         * name verified. A failed TLS handshake fails the call with a {@link ConnectionException}
         * whose message and cause name the TLS problem.
         *
         * @param tls the client's TLS settings
         * @return this builder
         * @since 0.2
         */
        public Builder tls(Tls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Sets what the client presents to prove who it is to a server that authenticates
         * ({@link Credentials}). They are sent on each new connection, after the TLS handshake,
         * and only to a server that asks for them. Refused credentials fail the calls with
         * {@link Status#UNAUTHENTICATED}. Default: none.
         *
         * @param credentials a password, a bearer token or credentials of the application's
         * @return this builder
         * @since 0.2
         */
        public Builder credentials(Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * Adds an interceptor: a {@link ClientInterceptor} sees every call this client makes, a
         * {@link ServerInterceptor} every call a server makes back to it on an object reference it exported; an object that is both sees both.
         * Interceptors run in the order added: the first added sees a call's start first and its
         * outcome last ({@link Interceptor}). Default: none.
         *
         * @param interceptor a {@link ClientInterceptor}, a {@link ServerInterceptor} or both;
         *     shared by every call, so thread-safe
         * @return this builder
         * @since 0.3
         */
        public Builder intercept(Interceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        private final java.util.List<Interceptor> interceptors = new java.util.ArrayList<>();

        /**
         * Builds the client. Does no I/O.
         *
         * @return a new client
         * @throws IllegalStateException if no target was set, or TLS settings were given for a
         *     {@code tcp://} or {@code inproc://} target
         */
        public Client build() {
            if (target == null) {
                throw new IllegalStateException("target is required, e.g. tcp://localhost:4061");
            }
            NameResolver.Provider resolver = target.resolved() ? resolver(target) : null;
            boolean secure = target.scheme().equals("tls") || resolver != null && tls != null;
            if (tls != null && target.scheme().equals("inproc")) {
                throw new IllegalStateException("TLS settings given for the in-process target " + target.text()
                        + ": nothing it carries leaves the process");
            }
            if (tls != null && !secure) {
                throw new IllegalStateException("TLS settings given for the plain target " + target.text()
                        + ": use tls://" + target.text().substring("tcp://".length()));
            }
            int max = maxConnections == 0 ? Math.max(connections, DEFAULT_MAX_CONNECTIONS) : maxConnections;
            if (max < connections) {
                throw new IllegalStateException("maxConnections (" + max + ") is below connections (" + connections + ")");
            }
            if (payloadLimits != null && codec != null) {
                throw new IllegalStateException("payloadLimits apply to the default codec; this client has codec(...)");
            }
            return Engine.get().newClient(new ClientConfig(target.text(),
                    payloadLimits != null ? Engine.get().defaultCodec(payloadLimits) : codec, callTimeout, connectTimeout,
                    heartbeatInterval, maxFrameSize, ioThreads, callbackExecutor,
                    Math.min(batchFlushSize, maxFrameSize), maxQueuedBytes, connections, max,
                    maxOutstandingPerConnection, dispatchExecutor, manualServing, compression, minReadRate, readGrace,
                    secure ? (tls != null ? tls : Tls.systemDefaults()) : null, credentials,
                    healing(), java.util.List.copyOf(interceptors), target.endpoints(), resolver, target.uri(),
                    loadBalancing, busyAt, quietPeriod, spinWait, directCallbacks));
        }

        /** The resolver of a target's scheme: this builder's, else the first on the class or module path. */
        private NameResolver.Provider resolver(Targets.ClientTarget target) {
            NameResolver.Provider mine = resolvers.get(target.scheme());
            if (mine != null) {
                return mine;
            }
            for (NameResolver.Provider p : java.util.ServiceLoader.load(NameResolver.Provider.class)) {
                if (target.scheme().equals(p.scheme())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("invalid target '" + target.text() + "': no resolver for the scheme '"
                    + target.scheme() + "' (add the module that provides it, such as hermod-zookeeper for zk://,"
                    + " or set Client.Builder.resolver); expected tcp://host:port, tls://host:port, inproc://name"
                    + " or a scheme with a resolver");
        }
    }
}
