package dev.hermod.internal.runtime;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.internal.bridge.ClientConfig;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.bridge.Healing;
import dev.hermod.internal.codec.JacksonCodec;
import dev.hermod.internal.contract.Contracts;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.dispatch.Dispatch;
import dev.hermod.internal.dispatch.Executors2;
import dev.hermod.internal.dispatch.Limits;
import dev.hermod.internal.dispatch.ManualExecutor;
import dev.hermod.internal.invocation.AsyncResultImpl;
import dev.hermod.internal.invocation.BatchQueue;
import dev.hermod.internal.invocation.Call;
import dev.hermod.internal.invocation.Invoker;
import dev.hermod.internal.invocation.Peer;
import dev.hermod.internal.invocation.ProxyHandler;
import dev.hermod.internal.invocation.Retries;
import dev.hermod.internal.invocation.RpcConnection;
import dev.hermod.internal.invocation.SharedTimer;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.PeerLog;
import dev.hermod.internal.transport.FixedResolver;
import dev.hermod.internal.transport.Replicas;
import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.EndpointStatus;
import dev.hermod.resolve.NameResolver;
import java.net.InetSocketAddress;
import dev.hermod.internal.transport.SecureChannels;
import dev.hermod.internal.transport.Transport;
import io.netty.channel.ChannelFuture;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// One file, at 500 lines: the client builds its layers here in the order they depend on each
// other and releases them in reverse; the batch queues and the manual serving it owns are small
// parts of that one lifecycle.
/**
 * The client runtime: builds the layers below for one client (contracts, transport, pool of
 * connections, timer, executors, the dispatch for objects it exports) and runs its lifecycle.
 * Proxies made here route their calls to the pool ({@link #connectionFor}); batch proxies queue
 * here until flushed. Thread-safe.
 */
public final class ClientImpl implements Client, Invoker, BatchQueue.Owner {
    private static final Logger log = LoggerFactory.getLogger(ClientImpl.class);
    /** Past this many incoming calls of one connection in dispatch, the client stops reading it. */
    private static final int MAX_IN_FLIGHT_PER_CONNECTION = 1024;

    private final ClientConfig config;
    private final Contracts contracts;
    private final Transport transport;
    private final SharedTimer.Lease timer;
    private final Link.Settings linkSettings;
    /** TLS for this client's connections, or null for plain TCP. */
    private final SecureChannels tls;
    private final java.util.concurrent.ExecutorService ownedCallbacks;
    private final Peer peer;
    private final Dispatch dispatch;
    /** Serves the objects this client exports, unless the application gave its own executor. */
    private final java.util.concurrent.ExecutorService ownedDispatch;
    /** Runs the resolver's work; null for a target that lists its endpoints. */
    private final java.util.concurrent.ScheduledExecutorService scheduler;
    /** Set in manual serving mode: incoming calls wait here until the application polls. */
    private final ManualExecutor manual;
    /** The endpoints and their pools of connections. */
    private final Replicas<RpcConnection> replicas;
    /** Batch queues holding requests: only those, so that empty ones can be collected with their proxies. */
    private final Set<BatchQueue> holding = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    /** Re-sends failed calls where that is safe; null when retries are off. */
    private final Retries retries;
    /** What interceptors may watch; counts the bytes of every connection. */
    private final SideVitals vitals;
    /** Tells the application about connections, one event at a time; null if nobody listens. */
    private final ConnectionEvents events;

    public ClientImpl(ClientConfig config) {
        this.config = config;
        this.tls = config.tls() == null ? null : SecureChannels.forClient(config.tls()); // first: it may fail
        this.contracts = new Contracts(config.codec() != null ? config.codec() : JacksonCodec.cbor());
        this.transport = Transport.forClient(config.ioThreads(), "hermod-client", config.inProcess());
        this.timer = SharedTimer.acquire();
        this.linkSettings = new Link.Settings(config.maxFrameSize(), config.heartbeatInterval(), false,
                config.compression(), config.minReadRate(), config.readGrace(), new PeerLog(log, "client"),
                // Opening a connection includes its handshake: connectTimeout bounds both.
                new Link.Handshake(config.connectTimeout(), null, null, config.credentials()));
        this.ownedCallbacks = config.callbackExecutor() == null ? Executors2.callbackExecutor("hermod-callback") : null;
        this.peer = new Peer(contracts, timer.timer(),
                ownedCallbacks != null ? ownedCallbacks : Executors2.offIoThreads(config.callbackExecutor()),
                config.callTimeout(), this, config.batchFlushSize(), config.maxQueuedBytes(),
                config.spinWait().toNanos(), config.directCallbacks());
        java.util.concurrent.Executor serving;
        if (config.manualServing()) {
            this.manual = new ManualExecutor();
            this.ownedDispatch = null;
            serving = manual;
        } else {
            this.manual = null;
            this.ownedDispatch = config.dispatchExecutor() == null
                    ? Executors2.dispatchExecutor("hermod-client-dispatch") : null;
            serving = ownedDispatch != null ? ownedDispatch : config.dispatchExecutor();
        }
        long requestBytes = Limits.defaultRequestBytes();
        int concurrent = Limits.defaultConcurrentCalls(ownedDispatch);
        this.dispatch = Dispatch.forClient(serving, new Limits(MAX_IN_FLIGHT_PER_CONNECTION, concurrent,
                Limits.defaultConcurrentCallsPerConnection(concurrent),
                Limits.defaultRequestBytesPerConnection(requestBytes), requestBytes,
                Limits.DEFAULT_REPLY_BYTES_PER_CONNECTION, Limits.defaultReplyBytes()));
        Healing healing = config.healing();
        this.retries = healing.maxAttempts() > 1 ? new Retries(healing.maxAttempts(), healing.backoffInitial(),
                healing.backoffMax(), healing.budgetRatio(), healing.budgetMinPerSecond()) : null;
        this.events = healing.listener() == null ? null
                : new ConnectionEvents(config.target(), healing.listener(), peer.callbacks());
        this.scheduler = config.resolver() == null ? null : resolverThread();
        NameResolver resolver = config.resolver() == null ? new FixedResolver(config.endpoints())
                : config.resolver().newResolver(config.resolverTarget(), scheduler);
        this.replicas = new Replicas<>(config.target(), resolver, config.loadBalancing(),
                r -> new EndpointConnections(this, r).pool, this::release);
        Retries resends = retries;
        this.vitals = new SideVitals("client", replicas::members, replicas::waitingCalls,
                () -> resends == null ? 0 : resends.count(), () -> 0, () -> 0);
        Interceptors.install(config.interceptors(), peer, dispatch, vitals);
    }

    /** The one thread of a resolver's work: a daemon, started at its first task. */
    private static java.util.concurrent.ScheduledExecutorService resolverThread() {
        java.util.concurrent.ScheduledThreadPoolExecutor s = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "hermod-resolver");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    @Override
    public int poll() {
        return manualExecutor().poll();
    }

    @Override
    public int poll(Duration timeout) throws InterruptedException {
        java.util.Objects.requireNonNull(timeout, "timeout");
        return manualExecutor().poll(timeout);
    }

    private ManualExecutor manualExecutor() {
        if (manual == null) {
            throw new IllegalStateException("the client for " + config.target() + " serves incoming calls in the"
                    + " background; poll() is for clients built with manualServing()");
        }
        return manual;
    }

    /** What this client's connections share, with the counts of exported objects and held references. */
    @Override
    public Peer peer() {
        return peer;
    }

    @Override
    public <T> T proxy(Class<T> contract, String service) {
        return proxy(contract, service, CallOptions.defaults());
    }

    @Override
    public <T> T proxy(Class<T> contract, String service, CallOptions options) {
        return ProxyHandler.create(this, contract, service, options);
    }

    @Override
    public AsyncResultImpl<Object> invoke(String service, String operation, Object... args) {
        return invoke(CallOptions.defaults(), service, operation, args);
    }

    @Override
    public AsyncResultImpl<Object> invoke(CallOptions options, String service, String operation, Object... args) {
        java.util.Objects.requireNonNull(options, "options");
        java.util.Objects.requireNonNull(service, "service");
        java.util.Objects.requireNonNull(operation, "operation");
        Object[] values = args == null ? new Object[0] : args.clone();
        return AsyncResultImpl.start(this, Operation.dynamic(operation, values.length, contracts.codec()), service,
                values, options, null, false);
    }

    @Override
    public java.util.concurrent.Flow.Publisher<Object> invokeStream(CallOptions options, String service,
            String operation, Object... args) {
        java.util.Objects.requireNonNull(options, "options");
        java.util.Objects.requireNonNull(service, "service");
        java.util.Objects.requireNonNull(operation, "operation");
        return dev.hermod.internal.invocation.StreamCall.dynamic(this, contracts.codec(), service, operation,
                args == null ? new Object[0] : args.clone(), options);
    }

    /** The async face of the describe service, for {@link #describe()}. */
    @dev.hermod.tools.CompanionOf(Describe.class)
    public interface DescribeAsync {
        AsyncResult<List<dev.hermod.tools.ServiceDescription>> describe();
    }

    @Override
    public AsyncResult<List<dev.hermod.tools.ServiceDescription>> describe() {
        return proxy(DescribeAsync.class, Describe.SERVICE).describe();
    }

    @Override
    public String target() {
        return config.target();
    }

    @Override
    public String describeTarget() {
        return config.target();
    }

    @Override
    public List<EndpointStatus> endpoints() {
        return config.inProcess() ? List.of() : replicas.statuses();
    }

    // ---- batches ----

    @Override
    public BatchQueue newBatchQueue() {
        return new BatchQueue(this, io.netty.buffer.ByteBufAllocator.DEFAULT);
    }

    @Override
    public Object enqueue(BatchQueue queue, Operation op, String service, Object[] args, CallOptions options,
            Object proxy) {
        ensureOpen();
        Call call = Call.create(op, service, args, options, options.timeout().orElse(config.callTimeout()),
                op.isOnewayCapable());
        return queue.enqueue(call, peer, proxy);
    }

    @Override
    public void holding(BatchQueue queue) {
        holding.add(queue);
    }

    @Override
    public void full(BatchQueue queue) {
        autoFlush(queue, null);
    }

    /** Sends a full batch queue, to the endpoint {@code affinity} keeps to (null: the client's oneway one). */
    void autoFlush(BatchQueue queue, Replicas.Affinity<RpcConnection> affinity) {
        flush(queue, null, "", affinity).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("an automatic batch flush to {} failed: {}", config.target(), e.getMessage());
            }
        });
    }

    @Override
    public int flushSize() {
        return config.batchFlushSize();
    }

    @Override
    public int maxFrameSize() {
        return config.maxFrameSize();
    }

    @Override
    public AsyncResultImpl<Void> flush(BatchQueue queue, Object proxy, String service) {
        return flush(queue, proxy, service, null);
    }

    /**
     * Sends what every batch proxy of this client holds, in one flush: over {@code via}, with the
     * requests of the batch proxies of references received over it; or, if null, over the
     * connection the client's oneway requests and batches use.
     */
    private AsyncResultImpl<Void> flushAll(RpcConnection via) {
        List<BatchQueue.Item> items = new ArrayList<>();
        for (BatchQueue q : List.copyOf(holding)) {
            holding.remove(q);
            items.addAll(q.drain());
        }
        if (via != null) {
            items.addAll(via.drainHeld());
        }
        CompletableFuture<RpcConnection> connection = via != null ? CompletableFuture.completedFuture(via)
                : items.isEmpty() ? CompletableFuture.completedFuture(null) : replicas.acquire(null, true);
        return BatchQueue.flush(peer, null, "", items, connection);
    }

    @Override
    public void flushBatches() {
        BatchQueue.awaitFlush(flushBatchesAsync());
    }

    @Override
    public AsyncResultImpl<Void> flushBatchesAsync() {
        return flushAll(null);
    }

    /** Sends, over {@code connection}, what the client's batch proxies and those of references received over it hold. */
    AsyncResultImpl<Void> flushBatches(RpcConnection connection) {
        return flushAll(connection);
    }

    @Override
    public List<dev.hermod.connection.Connection> connections() {
        List<dev.hermod.connection.Connection> handles = new ArrayList<>();
        for (RpcConnection c : replicas.members()) {
            handles.add(c.handle());
        }
        return handles;
    }

    @Override
    public void ensureOpen() {
        if (!replicas.isRunning()) {
            throw new IllegalStateException("the client for " + config.target() + " is shut down");
        }
    }

    /**
     * Routes a call: a oneway call to the connection the client's oneway calls and batches keep
     * to, a {@code @Deduplicated} call that may have run back to its endpoint, any other to the
     * endpoint the load-balancing policy picks (and there to the least loaded connection).
     */
    @Override
    public CompletableFuture<RpcConnection> connectionFor(Call call) {
        if (call.mayHaveRunAt() instanceof EndpointConnections ran) {
            return ran.again(call);
        }
        return call.isOneway() ? replicas.acquire(null, true) : replicas.acquire();
    }

    /** Routes a call of a sticky proxy: to the endpoint {@code affinity} keeps to, or as {@link #connectionFor(Call)}. */
    CompletableFuture<RpcConnection> connectionFor(Call call, Replicas.Affinity<RpcConnection> affinity) {
        if (call.mayHaveRunAt() instanceof EndpointConnections ran) {
            return ran.again(call);
        }
        return replicas.acquire(affinity, call.isOneway());
    }

    /** Sends a batch proxy's queue to the endpoint {@code affinity} keeps to (null: the client's oneway one). */
    AsyncResultImpl<Void> flush(BatchQueue queue, Object proxy, String service,
            Replicas.Affinity<RpcConnection> affinity) {
        holding.remove(queue);
        List<BatchQueue.Item> items = queue.drain();
        return BatchQueue.flush(peer, proxy, service, items,
                items.isEmpty() ? CompletableFuture.completedFuture(null) : replicas.acquire(affinity, true));
    }

    /** A sticky proxy's invoker; this client itself when it has one fixed endpoint. */
    @Override
    public Invoker sticky() {
        return config.endpoints() != null && config.endpoints().size() == 1 ? this
                : new StickyInvoker(this, replicas.newAffinity());
    }

    @Override
    public Retries retries() {
        return retries;
    }

    @Override
    public long nanosUntilRetry() {
        return replicas.nanosUntilRetry();
    }

    @Override
    public long nanosUntilRetry(Call call) {
        return call.mayHaveRunAt() instanceof EndpointConnections ran ? ran.pool.nanosUntilRetry()
                : replicas.nanosUntilRetry();
    }

    /**
     * Opens one more connection to {@code endpoint} ({@code label} in messages), whose life
     * {@code owner} hears about: completes once its handshake is sent.
     */
    CompletableFuture<RpcConnection> connect(Endpoint endpoint, String label, RpcConnection.Owner owner) {
        SocketAddress address = config.inProcess() ? Transport.inProcess(endpoint.host())
                : InetSocketAddress.createUnresolved(endpoint.host(), endpoint.port());
        CompletableFuture<Link> ready = new CompletableFuture<>();
        AtomicReference<RpcConnection> made = new AtomicReference<>();
        ChannelFuture connect = transport.connect(address, config.connectTimeout(), ch -> {
            if (tls != null) {
                tls.install(ch, endpoint.attributes().getOrDefault(Endpoint.TLS_SERVER_NAME, endpoint.host()),
                        endpoint.port());
            }
            ch.pipeline().addFirst(dev.hermod.internal.transport.Traffic.NAME, vitals.traffic);
            Link.install(ch, linkSettings, link -> {
                RpcConnection conn = new RpcConnection(link, dispatch, owner, config.maxQueuedBytes(), peer);
                made.set(conn);
                return conn;
            }, ready);
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(Failures.connection("cannot connect to " + label + ": "
                        + f.cause().getMessage(), f.cause(), true));
            }
        });
        CompletableFuture<RpcConnection> opened = new CompletableFuture<>();
        ready.whenComplete((link, failure) -> {
            if (failure != null) {
                opened.completeExceptionally(failure);
            } else {
                made.get().closeWhenUnused(config.healing().idleTimeout(), false);
                if (events != null) {
                    events.stateChanged(made.get(), dev.hermod.connection.Connection.State.OPEN);
                }
                opened.complete(made.get());
            }
        });
        return opened;
    }

    ClientConfig config() {
        return config;
    }

    /** Tells the application about connections; null if nobody listens. */
    ConnectionEvents events() {
        return events;
    }

    Replicas<RpcConnection> replicas() {
        return replicas;
    }

    @Override
    public void shutdown() {
        replicas.shutdown();
    }

    @Override
    public void shutdownNow() {
        replicas.shutdownNow();
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        timer.close();
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (ownedCallbacks != null) {
            ownedCallbacks.shutdown(); // callbacks already queued still run
        }
        if (ownedDispatch != null) {
            ownedDispatch.shutdownNow();
        }
        transport.shutdown().addListener(f -> terminated.complete(null));
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        try {
            terminated.get(TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS); // saturates, never overflows
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    @Override
    public boolean isShutdown() {
        return !replicas.isRunning();
    }

    @Override
    public void close() {
        shutdownNow();
        if (Transport.onIoThread()) {
            return; // waiting here could wait for this very thread (a direct callback's)
        }
        try {
            awaitTermination(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Client[" + config.target() + "]";
    }
}
