package dev.hermod;

import dev.hermod.codec.Codec;
import dev.hermod.codec.PayloadLimits;
import dev.hermod.health.Health;
import dev.hermod.health.HealthControl;
import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.intercept.Interceptor;
import dev.hermod.intercept.ServerInterceptor;
import dev.hermod.internal.bridge.Engine;
import dev.hermod.internal.bridge.RegisteredServer;
import dev.hermod.internal.bridge.ServerConfig;
import dev.hermod.resolve.Registration;
import dev.hermod.security.Authenticator;
import dev.hermod.security.Authorizer;
import dev.hermod.security.Tls;
import dev.hermod.tools.ServantOf;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

// One file, longer than most: the Builder is nested here because users name it Server.Builder,
// and its javadoc is where each setting and its default are documented.
/**
 * A running Hermod server: it listens on a TCP port and dispatches each request to the servant
 * bound under the requested service name.
 *
 * <p>Configure and start one with {@link Hermod#server()}:
 *
 * <pre>{@code
 * Server server = Hermod.server()
 *         .port(4061)
 *         .add("employees", Employees.class, new EmployeesImpl())
 *         .start();
 * }</pre>
 *
 * <p>Only the operations that the bound contract declares can be invoked; other public methods of
 * the servant are unreachable. Operations run on the dispatch executor, never on an I/O thread.
 * A request that fails (unknown service or operation, undecodable arguments, an exception in the
 * servant) is answered with an error and the connection stays open; a peer that breaks the wire
 * protocol has its connection closed, and every other connection is unaffected.
 *
 * <p>{@link #shutdown()} stops accepting connections, tells connected clients to go elsewhere,
 * lets calls in flight finish within the grace period, then closes the connections.
 * {@link #close()} does the same and waits.
 *
 * <p>Servers are thread-safe.
 *
 * @since 0.1
 */
public interface Server extends AutoCloseable {

    /**
     * Returns the port the server listens on; with port 0 configured, the port the system chose.
     *
     * @return the bound port
     * @throws IllegalStateException if the server listens in process ({@link Builder#inProcess})
     */
    int port();

    /**
     * Returns the address the server listens on.
     *
     * @return the bound address
     * @throws IllegalStateException if the server listens in process ({@link Builder#inProcess})
     */
    InetSocketAddress address();

    /**
     * Returns a target that reaches this server, for {@link Hermod#client(String)}:
     * {@code tcp://host:port} ({@code tls://} when it requires TLS), with the loopback name
     * {@code localhost} when it listens on all interfaces; {@code inproc://name} when it listens
     * in process.
     *
     * @return the target
     * @since 0.3
     */
    String target();

    /**
     * Begins a graceful shutdown and returns at once: new connections are refused, connected
     * clients are told that the server is going away (a GOAWAY frame), and requests that arrive
     * from now on fail with {@link Status#UNAVAILABLE} (unprocessed, so safe to retry elsewhere).
     * Calls already running finish and are answered; clients close their connections once their
     * own calls are answered. The server terminates as soon as no call runs and every client has
     * closed, and at the latest when the grace period ends, closing whatever is still open.
     */
    void shutdown();

    /**
     * Closes every connection now and interrupts running operations. Returns at once.
     */
    void shutdownNow();

    /**
     * Waits until the server has shut down and released its threads.
     *
     * @param timeout the longest time to wait
     * @return true if the server terminated, false if the timeout passed first
     * @throws InterruptedException if the calling thread is interrupted
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Tells whether shutdown has begun.
     *
     * @return true after {@link #shutdown()}, {@link #shutdownNow()} or {@link #close()}
     */
    boolean isShutdown();

    /**
     * Shuts down gracefully and waits for termination: at most the grace period plus a few
     * seconds. Idempotent.
     */
    @Override
    void close();

    /**
     * Returns what sets the state the server's {@link Health} service ({@value Health#SERVICE})
     * reports.
     *
     * @return the health control of this server
     * @since 0.3
     */
    HealthControl health();

    /**
     * Returns where the admin page is served ({@link Builder#admin(int)}).
     *
     * @return the loopback address, or empty if the server has no admin page
     * @since 0.3
     */
    java.util.Optional<InetSocketAddress> adminAddress();

    /**
     * Configures and starts a {@link Server}. Setters validate at once; {@link #start()} copies
     * the settings. Not thread-safe.
     *
     * @since 0.1
     */
    final class Builder {
        private String host;
        private int port;
        private final Map<String, Binding> services = new LinkedHashMap<>();
        private Executor executor;
        private Codec codec;
        private int maxFrameSize = 16 * 1024 * 1024;
        private boolean compression;
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private Duration shutdownGracePeriod = Duration.ofSeconds(10);
        private boolean sendStackTraces = true;
        private int ioThreads;
        private int maxInFlightPerConnection = 1024;
        private int maxConcurrentCalls;
        private int maxConcurrentCallsPerConnection;
        private long maxRequestBytesPerConnection;
        private long maxRequestBytes;
        private long maxReplyBytesPerConnection = 4L * 1024 * 1024;
        private long maxReplyBytes;
        private int minReadRate = 32 * 1024;
        private Duration readGrace = Duration.ofSeconds(5);
        private boolean describe = true;
        private boolean describeUnauthenticated;
        private Duration callTimeout = Duration.ofSeconds(30);
        private Tls tls;
        private Authenticator authenticator;
        private Authorizer authorizer;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxConnections = 10_000;
        private int maxConnectionsPerAddress = 1_000;
        private PayloadLimits payloadLimits;
        private String inProcess;
        private boolean passByReference;

        Builder() {}

        /**
         * Sets the address to listen on. Default: all interfaces.
         *
         * @param host a host name or IP literal, e.g. {@code "127.0.0.1"}
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Sets the port to listen on. Default: 0, any free port ({@link Server#port()} tells which).
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Listens in this JVM under a name instead of on a TCP port: clients reach the server with
         * the target {@code inproc://name}, through Netty's local channels, with no socket and no
         * system call. Everything else is as over TCP: the same frames, flow control, deadlines,
         * cancellation, exceptions, callbacks and their threads, since the connection runs the same
         * protocol; what is saved is the kernel's work. For tests and for collocated services.
         * A name is bound by one running server at a time in the JVM; TLS does not apply.
         *
         * @param name letters, digits, {@code .}, {@code _}, {@code ~} and {@code -}
         * @return this builder
         * @throws IllegalArgumentException if the name has other characters
         * @since 0.3
         */
        public Builder inProcess(String name) {
            this.inProcess = Targets.inProcessName(name);
            return this;
        }

        /**
         * Lets in-process clients of this server in the same class loader skip the codec: the
         * arguments reach the servant, and its result reaches the caller, as the very objects
         * passed and returned, not as copies decoded from bytes. Only with {@link #inProcess}.
         * Default: off, every call is encoded as over TCP.
         *
         * <p><b>Arguments and results are shared, not copied.</b> A servant that changes an
         * argument changes the caller's object; a caller that changes a result changes what the
         * servant returned (its own state, perhaps); and both may do so from different threads.
         * Turn this on only for servants and callers that treat what they pass and return as
         * immutable, or hand over copies themselves.
         *
         * <p>Everything else stays as on the encoded path, since the same frames still carry each
         * call (with empty payloads): deadlines, cancellation, sent state, flow control,
         * interceptors, callbacks and their threads, oneway ordering. A call hands its values over
         * only when the client's contract is the very {@code Class} the server serves (the same
         * class loader; otherwise it is encoded, silently) and when it is a plain two-way call:
         * oneway and batched calls, operations that stream, pass references or are
         * {@code @Deduplicated}, and dynamic invocations are encoded as usual. Declared
         * exceptions are always encoded, so a caller sees the same exception type, message,
         * fields and {@code RemoteTraceback} as over TCP. Payload limits ({@link #payloadLimits})
         * do not apply to values handed over, and a value the codec could not carry goes through.
         *
         * @param on whether to pass by reference
         * @return this builder
         * @since 0.3
         */
        public Builder passByReference(boolean on) {
            this.passByReference = on;
            return this;
        }

        /**
         * Binds a servant under a service name. Only the operations of the contract are
         * reachable, whatever else the servant's class offers.
         *
         * <p>{@code contract} is the {@link Remote @Remote} interface itself, or a servant form of
         * it: an interface annotated {@link ServantOf @ServantOf}, such as the
         * {@code FetchServiceAsyncServant} the annotation processor generates for
         * {@code FetchService}, whose methods may return a {@link java.util.concurrent.CompletionStage}
         * to answer later without holding a thread. Clients call the contract either way and
         * cannot tell. A servant form that does not match its contract is refused by
         * {@link #start()}.
         *
         * @param name the service name clients use
         * @param contract the {@link Remote @Remote} interface to serve, or a
         *     {@link ServantOf @ServantOf} form of one
         * @param servant the implementation; shared by all calls, so it must be thread-safe
         * @param <T> the type the servant implements
         * @return this builder
         * @throws IllegalArgumentException if the servant does not implement {@code contract} or
         *     the name is taken
         */
        public <T> Builder add(String name, Class<T> contract, T servant) {
            return add(name, contract, servant, null);
        }

        /**
         * Binds a servant under a service name, as {@link #add(String, Class, Object)} does, with
         * an authorization policy of its own: a call to this service runs only if this policy and
         * the server-wide one ({@link #authorizer}) both permit it. Needs an
         * {@link #authenticator}.
         *
         * @param name the service name clients use
         * @param contract the {@link Remote @Remote} interface to serve, or a servant form of one
         * @param servant the implementation; thread-safe
         * @param policy decides who may call this service's operations; null for none
         * @param <T> the type the servant implements
         * @return this builder
         * @throws IllegalArgumentException as {@link #add(String, Class, Object)}
         * @since 0.2
         */
        public <T> Builder add(String name, Class<T> contract, T servant, Authorizer policy) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(contract, "contract");
            Objects.requireNonNull(servant, "servant");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("service name must not be empty");
            }
            if (name.equals("hermod")) {
                throw new IllegalArgumentException("the service name 'hermod' is reserved: every server describes"
                        + " its services under it");
            }
            if (name.startsWith("@")) {
                throw new IllegalArgumentException("service names starting with '@' are reserved for object"
                        + " references: " + name);
            }
            if (!contract.isInstance(servant)) {
                throw new IllegalArgumentException(servant.getClass().getName()
                        + " does not implement " + contract.getName() + servantFormHint(servant, contract));
            }
            if (services.containsKey(name)) {
                throw new IllegalArgumentException("a service is already bound as '" + name + "'");
            }
            services.put(name, new Binding(contract, servant, policy));
            return this;
        }

        /**
         * Binds a servant under a service name, serving the one {@link Remote @Remote} interface
         * its class implements, or the contract of the one {@link ServantOf @ServantOf} form it
         * implements (see {@link #add(String, Class, Object)}).
         *
         * @param name the service name clients use
         * @param servant the implementation; must implement exactly one {@code @Remote} or
         *     {@code @ServantOf} interface
         * @return this builder
         * @throws IllegalArgumentException if the servant implements no or several contracts
         */
        public Builder add(String name, Object servant) {
            Objects.requireNonNull(servant, "servant");
            List<Class<?>> contracts = new ArrayList<>();
            collectContracts(servant.getClass(), contracts);
            if (contracts.size() != 1) {
                throw new IllegalArgumentException(servant.getClass().getName() + " implements "
                        + (contracts.isEmpty() ? "no" : contracts.size())
                        + " @Remote interfaces (counting @ServantOf forms of them); name the contract with"
                        + " add(name, contract, servant)");
            }
            @SuppressWarnings("unchecked")
            Class<Object> contract = (Class<Object>) contracts.get(0);
            return add(name, contract, servant);
        }

        /** Names the servant form of {@code contract} that the servant implements instead, if any. */
        private static String servantFormHint(Object servant, Class<?> contract) {
            List<Class<?>> forms = new ArrayList<>();
            collectContracts(servant.getClass(), forms);
            for (Class<?> form : forms) {
                ServantOf of = form.getAnnotation(ServantOf.class);
                if (of != null && of.value() == contract) {
                    return "; it implements " + form.getSimpleName() + ", a servant form of it: bind it with add(name, "
                            + form.getSimpleName() + ".class, servant)";
                }
            }
            return "";
        }

        private static void collectContracts(Class<?> type, List<Class<?>> out) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Class<?> i : c.getInterfaces()) {
                    if ((i.isAnnotationPresent(Remote.class) || i.isAnnotationPresent(ServantOf.class))
                            && !out.contains(i)) {
                        out.add(i);
                    }
                }
            }
        }

        /**
         * Sets the executor that runs operations. The server borrows it: it is not shut down with
         * the server. Default: an owned executor using a virtual thread per call on JDK 21 and
         * later, and a pool of 64 threads on JDK 17.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Runs operations on the I/O thread that read their request, with no hand-off to an
         * executor: the lowest latency Hermod offers (two thread hand-offs fewer per call), for
         * servants whose operations never block. Same as {@code executor(Runnable::run)}.
         *
         * <p>An operation that blocks (sleeps, waits on a lock, does blocking I/O) stalls every
         * connection served by that I/O thread for as long as it blocks, and a synchronous Hermod
         * call made from it fails at once with {@link IllegalStateException}, since waiting for
         * its reply would stall the very thread that has to read it. Operations that answer later
         * through a {@link java.util.concurrent.CompletionStage} suit it well. Requests are still
         * decoded, checked against the contract and answered exactly as with an executor.
         *
         * @return this builder
         */
        public Builder directExecutor() {
            return executor(Runnable::run);
        }

        /**
         * Sets the codec. Default: the built-in Jackson CBOR codec. Clients must use the same.
         *
         * @param codec the codec
         * @return this builder
         */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Sets whether this server compresses the payloads of its results (LZ4) and of the calls it
         * makes to clients' objects. Whatever this setting, a client that asks for a compressed
         * result (its own setting or the call's) gets one. Only payloads of at least 1 KiB that get shorter are sent
         * compressed, and only to a client that announced it reads them. Default: off.
         *
         * @param on whether to compress
         * @return this builder
         */
        public Builder compression(boolean on) {
            this.compression = on;
            return this;
        }

        /**
         * Sets the largest frame accepted, in bytes, and sent at most. It is announced to each client
         * when its connection opens, so a Hermod client fails a request that would be larger, alone,
         * before sending it; a reply larger than this limit or the client's is replaced by a
         * {@code MARSHAL} failure of that call. A peer that sends a larger frame anyway has its
         * connection closed with a protocol error. Default: 16 MiB.
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
         * Sets how often an idle connection sends a heartbeat; a connection silent for three
         * intervals is closed. Default: 10 seconds; {@link Duration#ZERO} disables heartbeats.
         *
         * @param interval a non-negative duration
         * @return this builder
         */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = Targets.nonNegative(interval, "heartbeatInterval");
            return this;
        }

        /**
         * Sets the longest a graceful shutdown waits for running calls to finish and for clients
         * to close their connections; it ends earlier when both have happened. Default: 10 seconds.
         *
         * @param period a non-negative duration
         * @return this builder
         */
        public Builder shutdownGracePeriod(Duration period) {
            this.shutdownGracePeriod = Targets.nonNegative(period, "shutdownGracePeriod");
            return this;
        }

        /**
         * Sets whether an undeclared exception thrown by a servant is sent to the caller with its
         * stack frames and cause chain ({@link RemoteException}), or with its class name and
         * message only. Turn it off where stack frames must not reveal internals. Default: true.
         *
         * @param send whether to send stack frames
         * @return this builder
         */
        public Builder sendStackTraces(boolean send) {
            this.sendStackTraces = send;
            return this;
        }

        /**
         * Sets the number of I/O threads. Default: 0, meaning twice the number of processors.
         *
         * @param threads 0 or more
         * @return this builder
         */
        public Builder ioThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("ioThreads must not be negative: " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /**
         * Sets how many requests of one connection may be in dispatch at once: from the moment
         * the server takes them up until their reply is written to the socket (running, waiting
         * for their turn on the executor, or waiting for a {@code CompletionStage}), each item of
         * a batch counted on its own. The connection's further requests wait unread: the server
         * stops reading the connection until half of these have been answered, so the client's
         * requests wait in the network buffers and then in the client, whose flow control takes
         * over. Default: 1024.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxInFlightPerConnection(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxInFlightPerConnection must be positive: " + max);
            }
            this.maxInFlightPerConnection = max;
            return this;
        }

        /**
         * Sets how many requests may run on the executor at once, over all connections. When more
         * are ready, the connections that have some take turns, one request each, so a client
         * with hundreds of slow calls queued delays another client's call by at most one turn.
         * Default: with the default executor, 64 on JDK 17 (the size of its pool) and 1,024 on
         * virtual threads (JDK 21 and later); with an executor of your own, no limit (set one
         * that fits it).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxConcurrentCalls(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrentCalls must be positive: " + max);
            }
            this.maxConcurrentCalls = max;
            return this;
        }

        /**
         * Sets how many requests of one connection may run on the executor at once: its share,
         * so that one client cannot hold every thread while others wait (its other requests wait
         * for their turn). Default: a quarter of {@link #maxConcurrentCalls} (16 on JDK 17, 256 on
         * virtual threads; no limit when that has none).
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxConcurrentCallsPerConnection(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrentCallsPerConnection must be positive: " + max);
            }
            this.maxConcurrentCallsPerConnection = max;
            return this;
        }

        /**
         * Sets how many bytes the requests of one connection may hold in the server: request
         * frames read and not yet decoded, plus the estimated decoded size of those in dispatch
         * (each estimated over 64 KiB), until their reply is written. Past it the server stops reading the connection, and a
         * request whose arguments would decode past it (while others of the connection are held)
         * fails with {@link Status#RESOURCE_EXHAUSTED}, unprocessed. A request alone is always
         * taken, within the codec's own limits. Default: a quarter of
         * {@link #maxRequestBytes} (64 MiB with a 1 GiB heap).
         *
         * @param bytes positive
         * @return this builder
         */
        public Builder maxRequestBytesPerConnection(long bytes) {
            this.maxRequestBytesPerConnection = Targets.positive(bytes, "maxRequestBytesPerConnection");
            return this;
        }

        /**
         * Sets how many bytes the requests of all connections together may hold in the server,
         * counted as for {@link #maxRequestBytesPerConnection}. Past it the server stops reading
         * the connections that hold some, and refuses with {@link Status#RESOURCE_EXHAUSTED} a
         * request that would decode past it, unless it is small (estimated under 64 KiB).
         * Default: a quarter of the maximum heap (256 MiB with a 1 GiB heap).
         *
         * @param bytes positive
         * @return this builder
         */
        public Builder maxRequestBytes(long bytes) {
            this.maxRequestBytes = Targets.positive(bytes, "maxRequestBytes");
            return this;
        }

        /**
         * Sets how many bytes of replies to one connection may wait to be written because its
         * client does not read them. Past it the server takes up no more requests of that
         * connection, and so stops reading it; starts none of its requests already taken up; and
         * keeps the results of those still running as objects until there is room to encode them,
         * so that direct memory holds no more than this for a client that never reads. Default:
         * 4 MiB.
         *
         * @param bytes positive
         * @return this builder
         */
        public Builder maxReplyBytesPerConnection(long bytes) {
            this.maxReplyBytesPerConnection = Targets.positive(bytes, "maxReplyBytesPerConnection");
            return this;
        }

        /**
         * Sets how many bytes of replies to all connections together may wait to be written.
         * Past it the server takes up no more requests of the connections that have replies
         * waiting. Replies are held in direct memory. Default: a quarter of the direct memory
         * the JVM allows (256 MiB when it allows 1 GiB, which is its default with a 1 GiB heap).
         *
         * @param bytes positive
         * @return this builder
         */
        public Builder maxReplyBytes(long bytes) {
            this.maxReplyBytes = Targets.positive(bytes, "maxReplyBytes");
            return this;
        }

        /**
         * Sets the slowest a frame may arrive: once a frame has begun to arrive, its bytes must
         * keep coming at {@code bytesPerSecond} on average, counted after {@code grace} (time
         * during which the server has stopped reading the connection does not count). A peer
         * that sends more slowly, or stops in the middle of a frame, has its connection closed.
         * Default: 32 KiB/s after 5 seconds, so a frame of 16 MiB may take up to 517 seconds and
         * a stalled one is closed within seconds. A rate of 0 turns the check off (idle
         * connections are still closed by {@link #heartbeatInterval}).
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
         * Sets whether the server answers the {@code describe} operation of the reserved service
         * {@code hermod}, which lists every bound service with its operations and types
         * ({@link Client#describe()}, the {@code hermod describe} command). Turned off, such a
         * request fails with {@link Status#SERVICE_NOT_FOUND}; object references work as ever.
         * Default: true.
         *
         * @param enabled whether to describe the bound services to any client
         * @return this builder
         */
        public Builder describe(boolean enabled) {
            this.describe = enabled;
            return this;
        }

        /**
         * Sets whether a client that is not authenticated may call {@link Client#describe()}, when
         * the server has an {@link #authenticator}: by default only authenticated clients learn
         * what the server offers. Without an authenticator every client may (see
         * {@link #describe(boolean)}). Default: false.
         *
         * @param allowed whether unauthenticated clients may describe the services
         * @return this builder
         * @since 0.2
         */
        public Builder describeUnauthenticated(boolean allowed) {
            this.describeUnauthenticated = allowed;
            return this;
        }

        /**
         * Serves over TLS only: each connection must complete a TLS handshake with this server's
         * certificate before anything else ({@link Tls}); clients use {@code tls://} targets.
         * A client that fails the handshake (plain TCP, an untrusted certificate) is closed, and
         * one line is logged. Default: no TLS.
         *
         * @param tls the server's certificate and key, and what it asks of clients
         * @return this builder
         * @since 0.2
         */
        public Builder tls(Tls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Authenticates each connection in its handshake ({@link Authenticator}): servants then see
         * the caller's {@link Current#principal()}, and an unauthenticated connection can make no
         * call (failing with {@link Status#UNAUTHENTICATED}) except describe when
         * {@link #describeUnauthenticated} allows it. Default: none; every client may call.
         *
         * @param authenticator decides who each connection's client is
         * @return this builder
         * @since 0.2
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Sets the server-wide authorization policy, asked before each call of an authenticated
         * client (services may add their own, {@link #add(String, Class, Object, Authorizer)}); a
         * refused call fails with {@link Status#PERMISSION_DENIED}. Needs an {@link #authenticator}.
         * Default: every authenticated client may call every operation.
         *
         * @param policy the policy
         * @return this builder
         * @since 0.2
         */
        public Builder authorizer(Authorizer policy) {
            this.authorizer = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Sets how long a new connection has to complete its handshake (TLS, the Hermod preamble
         * and settings, and authentication) before it is closed. Default: 10 seconds.
         *
         * @param timeout positive
         * @return this builder
         * @since 0.2
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Targets.positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * Sets how many connections the server keeps open at once; one more is closed as soon as
         * it is accepted, with a log line (rate-limited), and the client's calls fail with
         * {@link ConnectionException}. Default: 10,000.
         *
         * @param max at least 1
         * @return this builder
         * @since 0.2
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be positive: " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * Sets how many connections one remote IP address may keep open at once; one more from it
         * is closed as soon as it is accepted, as for {@link #maxConnections}. Default: 1,000.
         *
         * @param max at least 1
         * @return this builder
         * @since 0.2
         */
        public Builder maxConnectionsPerAddress(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnectionsPerAddress must be positive: " + max);
            }
            this.maxConnectionsPerAddress = max;
            return this;
        }

        /**
         * Sets what one received payload may make the default codec build: nesting, string and
         * collection lengths, map entries, data items and estimated decoded bytes
         * ({@link PayloadLimits}). A request beyond them fails alone with
         * {@link Status#RESOURCE_EXHAUSTED}, unprocessed. Default: {@link PayloadLimits#defaults()}.
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
         * Sets the deadline of calls this server makes on object references that clients
         * passed it (callbacks, listeners), when the call's options set none. A call made while
         * serving a request also ends when that request's deadline passes. Default: 30 seconds.
         * A timeout of 100 years or more means no deadline ({@link CallOptions#withoutDeadline()}).
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = Targets.positive(timeout, "callTimeout");
            return this;
        }

        /**
         * Adds an interceptor: a {@link ServerInterceptor} sees every call this server serves, a
         * {@link ClientInterceptor} every call it makes on an object reference a client passed to it; an object that is both sees both.
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
         * Serves a small live admin page over HTTP on loopback at {@code port}: connections with
         * their remote address, principal and state; calls in flight with their age; per operation
         * the rate, error rate and latency percentiles (HdrHistogram); the object references
         * exported and held. JSON behind every view ({@code /api/all}, {@code /api/operations},
         * {@code /api/calls}, {@code /api/connections}, {@code /api/references}), so that scripts
         * read the same data. Read-only; loopback only, so reach it from elsewhere through your own
         * tunnel. Default: none.
         *
         * @param port 0 for any free port ({@link Server#adminAddress()} tells which), or 1 to 65535
         * @return this builder
         * @since 0.3
         */
        public Builder admin(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("admin port must be 0 to 65535: " + port);
            }
            this.adminPort = port;
            return this;
        }

        private int adminPort = -1;

        /**
         * Validates the bound contracts, binds the port and starts serving.
         *
         * @return the running server
         * @throws IllegalArgumentException if a bound contract is invalid (the message names the
         *     method)
         * @throws java.io.UncheckedIOException if the port (or the in-process name) cannot be bound
         * @throws IllegalStateException if settings contradict each other (an in-process server
         *     with a host, port or TLS; a policy without an authenticator)
         */
        public Server start() {
            Map<String, ServerConfig.Service> bound = new LinkedHashMap<>();
            services.forEach((name, b) -> bound.put(name, new ServerConfig.Service(b.contract, b.servant, b.policy)));
            boolean policies = authorizer != null || services.values().stream().anyMatch(b -> b.policy != null);
            if (payloadLimits != null && codec != null) {
                throw new IllegalStateException("payloadLimits apply to the default codec; this server has codec(...)");
            }
            if (policies && authenticator == null) {
                throw new IllegalStateException("an authorization policy needs an authenticator: set authenticator(...)");
            }
            if (inProcess != null && (host != null || port != 0 || tls != null)) {
                throw new IllegalStateException("the in-process server '" + inProcess
                        + "' takes no host, port or TLS: nothing it carries leaves the process");
            }
            if (passByReference && inProcess == null) {
                throw new IllegalStateException("passByReference applies to an in-process server: set inProcess(...)");
            }
            return RegisteredServer.register(Engine.get().startServer(new ServerConfig(host, port, bound, executor,
                    payloadLimits != null ? Engine.get().defaultCodec(payloadLimits) : codec, maxFrameSize,
                    heartbeatInterval, shutdownGracePeriod, sendStackTraces, ioThreads, callTimeout,
                    new ServerConfig.Limits(maxInFlightPerConnection, maxConcurrentCalls,
                            maxConcurrentCallsPerConnection, maxRequestBytesPerConnection,
                            maxRequestBytes, maxReplyBytesPerConnection, maxReplyBytes, minReadRate, readGrace,
                            handshakeTimeout, maxConnections, maxConnectionsPerAddress),
                    describe, compression,
                    new ServerConfig.Security(tls, authenticator, authorizer, describeUnauthenticated), idleTimeout,
                    inProcess, java.util.List.copyOf(interceptors), adminPort,
                    new ServerConfig.Deduplication(deduplicationWindow, deduplicationReplies, deduplicationBytes),
                    passByReference)),
                    registrations);
        }

        private final List<Registration> registrations = new ArrayList<>();

        /**
         * Publishes the server in a registry that clients resolve, such as ZooKeeper
         * ({@code hermod-zookeeper}'s {@code ZooKeeperRegistration}): registered once it listens,
         * withdrawn as soon as its shutdown begins, before its clients are told to go elsewhere.
         * May be called several times. Default: none.
         *
         * @param registration where to publish the server
         * @return this builder
         * @since 0.3
         */
        public Builder register(Registration registration) {
            registrations.add(Objects.requireNonNull(registration, "registration"));
            return this;
        }

        private Duration deduplicationWindow = Duration.ofMinutes(5);
        private int deduplicationReplies = 100_000;
        private long deduplicationBytes = 64L << 20;

        /**
         * Sets what the server remembers of the {@link Deduplicated} calls it ran, so that such a
         * call sent again (after its connection was lost) gets the reply of its first run instead
         * of running twice: each reply for {@code window} after its call ended, at most
         * {@code maxReplies} replies and {@code maxBytes} bytes of them (a reply larger than a
         * tenth of that is not kept). When more come, the oldest are forgotten first, and a call
         * sent again after its reply was forgotten runs again: choose a window longer than your
         * clients' call timeouts, and bounds that hold the replies of that long.
         * Default: 5 minutes, 100,000 replies, 64 MiB.
         *
         * @param window positive
         * @param maxReplies positive
         * @param maxBytes positive
         * @return this builder
         */
        public Builder deduplication(Duration window, int maxReplies, long maxBytes) {
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("the deduplication window must be positive: " + window);
            }
            this.deduplicationWindow = window;
            this.deduplicationReplies = (int) Targets.positive(maxReplies, "maxReplies");
            this.deduplicationBytes = Targets.positive(maxBytes, "maxBytes");
            return this;
        }

        private Duration idleTimeout = Duration.ZERO;

        /**
         * Closes connections that have been unused for {@code timeout}: no call either way in
         * flight, none started for that long, and no object reference across them (Ice's
         * inactivity timeout; heartbeats do not count as use). The server sends GOAWAY, so that
         * the client closes the connection without losing a call (its next call opens a new
         * one), and closes it itself if the client has not after one more {@code timeout}.
         * Default: zero, never. {@link Client.Builder#idleTimeout} does the same from the
         * client's side.
         *
         * @param timeout zero or positive
         * @return this builder
         * @since 0.2
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Targets.nonNegative(timeout, "idleTimeout");
            return this;
        }

        private record Binding(Class<?> contract, Object servant, Authorizer policy) {}
    }
}
