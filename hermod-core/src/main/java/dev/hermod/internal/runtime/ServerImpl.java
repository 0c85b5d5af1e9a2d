package dev.hermod.internal.runtime;

import dev.hermod.ConnectionException;
import dev.hermod.RpcException;
import dev.hermod.Server;
import dev.hermod.codec.Codec;
import dev.hermod.health.Health;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.bridge.ServerConfig;
import dev.hermod.internal.codec.JacksonCodec;
import dev.hermod.internal.contract.Contracts;
import dev.hermod.internal.contract.Service;
import dev.hermod.internal.dispatch.Access;
import dev.hermod.internal.dispatch.Dispatch;
import dev.hermod.internal.dispatch.Executors2;
import dev.hermod.internal.dispatch.Limits;
import dev.hermod.internal.invocation.AsyncResultImpl;
import dev.hermod.internal.invocation.BatchQueue;
import dev.hermod.internal.invocation.Peer;
import dev.hermod.internal.invocation.RpcConnection;
import dev.hermod.internal.invocation.SharedTimer;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.PeerLog;
import dev.hermod.internal.transport.ConnectionCount;
import dev.hermod.internal.transport.SecureChannels;
import dev.hermod.internal.transport.Transport;
import io.netty.channel.ServerChannel;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server runtime: the listening socket, its connections, the dispatch and its executor. */
public final class ServerImpl implements Server, RpcConnection.Owner {
    private static final Logger log = LoggerFactory.getLogger(ServerImpl.class);
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOPPED = 2;

    private final ServerConfig config;
    private final Transport transport;
    private final Dispatch dispatch;
    private final ExecutorService ownedExecutor;
    private final SharedTimer.Lease timer;
    private final ExecutorService callbacks;
    private final Peer peer;
    private final Set<RpcConnection> connections = ConcurrentHashMap.newKeySet();
    /** What interceptors may watch; counts the bytes of every connection. */
    private final SideVitals vitals;
    /** The servant of the reserved health service, and what {@link #health()} returns. */
    private final HealthService health;
    /** What the admin page shows of the calls; null without an admin page. */
    private final AdminStats adminStats;
    /** The admin page, once started; null without one. */
    private volatile AdminPage admin;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile ServerChannel channel;
    /** TLS for accepted connections, or null for plain TCP. */
    private final SecureChannels tls;
    private final ConnectionCount counts;
    private volatile int state = RUNNING;
    /** Tests only: runs on the I/O thread as an accepted connection is set up, before anything else. */
    static volatile java.util.function.Consumer<io.netty.channel.Channel> beforeInstall;

    private ServerImpl(ServerConfig config, Dispatch dispatch, ExecutorService ownedExecutor, Contracts contracts,
            SecureChannels tls, HealthService health) {
        this.config = config;
        this.health = health;
        this.tls = tls;
        this.counts = new ConnectionCount(config.limits().maxConnections(), config.limits().maxConnectionsPerAddress());
        this.dispatch = dispatch;
        this.ownedExecutor = ownedExecutor;
        this.transport = Transport.forServer(config.ioThreads(), "hermod-server", config.inProcess() != null);
        this.timer = SharedTimer.acquire();
        this.callbacks = Executors2.callbackExecutor("hermod-server-callback");
        this.peer = new Peer(contracts, timer.timer(), callbacks, config.callTimeout(), null, 1024 * 1024);
        this.vitals = new SideVitals("server", () -> connections, () -> 0, () -> 0,
                dispatch::deduplicatedReplays, dispatch::deduplicationEvictions);
        this.adminStats = config.adminPort() >= 0 ? new AdminStats() : null;
        List<dev.hermod.intercept.Interceptor> interceptors = new java.util.ArrayList<>();
        if (adminStats != null) {
            interceptors.add(adminStats); // outermost: it times what the others add too
        }
        interceptors.addAll(config.interceptors());
        Interceptors.install(interceptors, peer, dispatch, vitals);
    }

    /** What this server's connections share, with the counts of exported objects and held references. */
    public Peer peer() {
        return peer;
    }

    /** Validates the contracts, binds and starts serving. */
    public static ServerImpl start(ServerConfig config) {
        Codec codec = config.codec() != null ? config.codec() : JacksonCodec.cbor();
        Contracts contracts = new Contracts(codec);
        Map<String, Service> services = new LinkedHashMap<>();
        config.services().forEach((name, s) -> {
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 0xFFFF) {
                throw new IllegalArgumentException("service name too long: " + name.length() + " characters");
            }
            services.put(name, Service.bind(name, contracts, s.contract(), s.servant()));
        });
        if (services.containsKey(Health.SERVICE)) {
            throw new IllegalArgumentException("the service name '" + Health.SERVICE + "' is reserved: every server"
                    + " reports its health under it");
        }
        List<String> bound = List.copyOf(services.keySet());
        if (config.describe()) {
            Service describe = new Service(Describe.SERVICE, contracts.get(Describe.class),
                    new DescribeImpl(List.copyOf(services.values())));
            services.put(Describe.SERVICE, describe);
        }
        HealthService health = new HealthService(bound);
        services.put(Health.SERVICE, new Service(Health.SERVICE, contracts.get(Health.class), health));
        ServerConfig.Security security = config.security();
        SecureChannels tls = security.tls() == null ? null : SecureChannels.forServer(security.tls());
        Map<String, dev.hermod.security.Authorizer> policies = new LinkedHashMap<>();
        config.services().forEach((name, s) -> {
            if (s.policy() != null) {
                policies.put(name, s.policy());
            }
        });
        Access access = new Access(security.authenticator() != null, Describe.SERVICE,
                security.describeUnauthenticated(), security.authorizer(), policies);
        ExecutorService owned = config.executor() == null ? Executors2.dispatchExecutor("hermod-dispatch") : null;
        Executor executor = owned != null ? owned : config.executor();
        Dispatch dispatch = new Dispatch(services, executor, config.sendStackTraces(),
                limits(config.limits(), owned), config.describe() ? null : Describe.SERVICE, access);
        ServerConfig.Deduplication d = config.deduplication();
        dispatch.deduplicate(d.window(), d.maxReplies(), d.maxBytes());
        if (config.passByReference()) {
            dispatch.passByReference();
        }
        ServerImpl server = new ServerImpl(config, dispatch, owned, contracts, tls, health);
        server.bind();
        if (server.adminStats != null) {
            try {
                server.admin = AdminPage.start(config.adminPort(), server.adminViews());
            } catch (RuntimeException e) {
                server.shutdownNow();
                throw e;
            }
        }
        return server;
    }

    /** The limits as configured, with the defaults worked out where none was set. */
    static Limits limits(ServerConfig.Limits set, ExecutorService owned) {
        int concurrent = set.maxConcurrentCalls() > 0 ? set.maxConcurrentCalls() : Limits.defaultConcurrentCalls(owned);
        long requestBytes = set.maxRequestBytes() > 0 ? set.maxRequestBytes() : Limits.defaultRequestBytes();
        return new Limits(set.maxInFlightPerConnection(), concurrent,
                set.maxConcurrentCallsPerConnection() > 0 ? set.maxConcurrentCallsPerConnection()
                        : Limits.defaultConcurrentCallsPerConnection(concurrent),
                set.maxRequestBytesPerConnection() > 0 ? set.maxRequestBytesPerConnection()
                        : Limits.defaultRequestBytesPerConnection(requestBytes),
                requestBytes,
                set.maxReplyBytesPerConnection(),
                set.maxReplyBytes() > 0 ? set.maxReplyBytes() : Limits.defaultReplyBytes());
    }

    private void bind() {
        SocketAddress address = config.inProcess() != null ? Transport.inProcess(config.inProcess())
                : config.host() == null ? new InetSocketAddress(config.port())
                : new InetSocketAddress(config.host(), config.port());
        PeerLog peerLog = new PeerLog(log, "server");
        Link.Settings settings = new Link.Settings(config.maxFrameSize(), config.heartbeatInterval(), true,
                config.compression(), config.limits().minReadRate(), config.limits().readGrace(), peerLog,
                new Link.Handshake(config.limits().handshakeTimeout(), config.security().authenticator(), callbacks,
                        null));
        try {
            channel = transport.bind(address, ch -> {
                String refused = counts.admit(ch);
                if (refused != null) {
                    peerLog.warn("connection limit", "refusing connection from {}: {}", String.valueOf(ch.remoteAddress()),
                            refused);
                    ch.close();
                    return;
                }
                if (tls != null) {
                    tls.install(ch, null, 0);
                }
                ch.pipeline().addFirst(dev.hermod.internal.transport.Traffic.NAME, vitals.traffic);
                installLink(ch, settings);
            });
        } catch (Transport.BindFailure e) {
            release();
            BindException bind = new BindException(e.getMessage());
            bind.initCause(e.getCause());
            throw new UncheckedIOException(bind);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release();
            throw new IllegalStateException("interrupted while binding " + address, e);
        }
        log.debug("listening on {} ({}{})", channel.localAddress(), transport.kind(),
                tls == null ? "" : ", TLS with " + tls.engine());
    }

    private void installLink(io.netty.channel.Channel ch, Link.Settings settings) {
        java.util.function.Consumer<io.netty.channel.Channel> hook = beforeInstall;
        if (hook != null) {
            hook.accept(ch);
        }
        synchronized (this) { // against finishIfDrained: counted before it looks, or refused after it decided
            if (state == STOPPED) {
                // Accepted before the listener closed, and set up only after the server decided to
                // stop (its I/O thread was busy): no handshake, so the client sends nothing it
                // would believe delivered, and connects again elsewhere or later.
                ch.close();
                return;
            }
            Link.install(ch, settings, link -> {
                RpcConnection c = new RpcConnection(link, dispatch, this, Long.MAX_VALUE, peer);
                c.closeWhenUnused(config.idleTimeout(), true);
                connections.add(c);
                if (state != RUNNING) {
                    // Accepted while shutting down: after its preamble, tell it to go away too.
                    link.eventLoop().execute(() -> c.goAway("the server is shutting down"));
                }
                return c;
            }, null);
        }
    }

    @Override
    public int port() {
        return address().getPort();
    }

    @Override
    public InetSocketAddress address() {
        if (config.inProcess() != null) {
            throw new IllegalStateException("the server listens in process, as " + target() + ", not on a TCP port");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public java.util.Optional<InetSocketAddress> adminAddress() {
        AdminPage page = admin;
        return page == null ? java.util.Optional.empty() : java.util.Optional.of(page.address());
    }

    /** The admin page's views, by name: each read when asked. */
    private Map<String, java.util.function.Supplier<Object>> adminViews() {
        Map<String, java.util.function.Supplier<Object>> views = new LinkedHashMap<>();
        views.put("operations", adminStats::operations);
        views.put("calls", adminStats::inFlight);
        views.put("connections", () -> {
            List<Map<String, Object>> list = new java.util.ArrayList<>();
            for (RpcConnection c : connections) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("remoteAddress", String.valueOf(c.link().remoteAddress()));
                java.security.Principal p = c.link().principal();
                m.put("principal", p == null ? "" : p.getName());
                m.put("state", c.state().name());
                list.add(m);
            }
            return list;
        });
        views.put("references", () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("exported", peer.exportedObjects());
            m.put("imported", peer.importedReferences());
            return m;
        });
        return views;
    }

    @Override
    public String target() {
        if (config.inProcess() != null) {
            return Transport.IN_PROCESS + "://" + config.inProcess();
        }
        InetSocketAddress bound = address();
        String host = bound.getAddress().isAnyLocalAddress() ? "localhost"
                : bound.getAddress() instanceof java.net.Inet6Address ? "[" + bound.getAddress().getHostAddress() + "]"
                : bound.getAddress().getHostAddress();
        return (tls != null ? "tls://" : "tcp://") + host + ":" + bound.getPort();
    }

    /** A server's batch proxies are those of references clients passed it over the connection. */
    @Override
    public AsyncResultImpl<Void> flushBatches(RpcConnection connection) {
        return BatchQueue.flush(peer, null, "", connection.drainHeld(), CompletableFuture.completedFuture(connection));
    }

    @Override
    public void onClosed(RpcConnection connection, RpcException cause) {
        connections.remove(connection);
        finishIfDrained();
    }

    /**
     * During a graceful shutdown, stops once no call is running and every client has closed its
     * connection (clients close after the GOAWAY once their own calls are answered). Closing
     * earlier could lose a request that is crossing the GOAWAY on the wire.
     */
    private void finishIfDrained() {
        synchronized (this) {
            if (state != SHUTDOWN || dispatch.inFlight() != 0 || !connections.isEmpty()) {
                return;
            }
            state = STOPPED; // decided here, under the lock, so that no connection is set up after
        }
        transport.schedule(this::stop, 0);
    }

    @Override
    public void shutdown() {
        synchronized (this) {
            if (state != RUNNING) {
                return;
            }
            state = SHUTDOWN;
        }
        health.drain();
        channel.close();
        for (RpcConnection c : List.copyOf(connections)) {
            c.goAway("the server is shutting down");
        }
        long grace = TimeUnit.NANOSECONDS.convert(config.shutdownGracePeriod()); // saturates
        transport.schedule(this::shutdownNow, grace);
        dispatch.refuseNew(this::finishIfDrained);
    }

    @Override
    public dev.hermod.health.HealthControl health() {
        return health;
    }

    @Override
    public void shutdownNow() {
        synchronized (this) {
            if (state == STOPPED) {
                return;
            }
            state = STOPPED;
        }
        stop();
    }

    /** Closes the listener and every connection, and releases the rest; once STOPPED. */
    private void stop() {
        health.drain();
        channel.close();
        ConnectionException closed = Failures.connection("the server at " + target() + " shut down",
                null, false);
        for (RpcConnection c : List.copyOf(connections)) {
            c.link().close(closed);
        }
        release();
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        AdminPage page = admin;
        if (page != null) {
            page.close();
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
        timer.close();
        callbacks.shutdown(); // callbacks already queued still run
        transport.shutdown().addListener(f -> terminated.complete(null));
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long nanos = Math.min(TimeUnit.NANOSECONDS.convert(timeout), Long.MAX_VALUE / 4); // never overflows
        long deadline = System.nanoTime() + nanos;
        try {
            terminated.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            // completes normally only
        }
        return ownedExecutor == null
                || ownedExecutor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isShutdown() {
        return state != RUNNING;
    }

    @Override
    public void close() {
        shutdown();
        try {
            if (!awaitTermination(config.shutdownGracePeriod().plusSeconds(5))) {
                log.warn("server at {} did not terminate in time", target());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "Server[" + (channel == null ? "unbound" : channel.localAddress()) + "]";
    }
}
