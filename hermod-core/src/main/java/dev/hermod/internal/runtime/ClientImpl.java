package dev.hermod.internal.runtime;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.ClientConfig;
import dev.hermod.internal.codec.JacksonCodec;
import dev.hermod.internal.contract.Contract;
import dev.hermod.internal.contract.Contracts;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.dispatch.Dispatch;
import dev.hermod.internal.dispatch.Executors2;
import dev.hermod.internal.dispatch.ManualExecutor;
import dev.hermod.internal.invocation.AsyncResultImpl;
import dev.hermod.internal.invocation.BatchQueue;
import dev.hermod.internal.invocation.Call;
import dev.hermod.internal.invocation.Invocations;
import dev.hermod.internal.invocation.Invoker;
import dev.hermod.internal.invocation.Peer;
import dev.hermod.internal.invocation.ProxyHandler;
import dev.hermod.internal.invocation.RpcConnection;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.transport.Transport;
import io.netty.channel.ChannelFuture;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
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

/** The client runtime: proxies, the connection to the server, timers and threads. */
public final class ClientImpl implements Client, Invoker, RpcConnection.Owner, BatchQueue.Owner {
    private static final Logger log = LoggerFactory.getLogger(ClientImpl.class);
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOPPED = 2;
    /** Past this many incoming calls of one connection in dispatch, the client stops reading it. */
    private static final int MAX_IN_FLIGHT_PER_CONNECTION = 1024;

    private final ClientConfig config;
    private final Contracts contracts;
    private final Transport transport;
    private final Timer timer;
    private final Link.Settings linkSettings;
    private final java.util.concurrent.ExecutorService ownedCallbacks;
    private final Peer peer;
    private final Dispatch dispatch;
    /** Serves the objects this client exports, unless the application gave its own executor. */
    private final java.util.concurrent.ExecutorService ownedDispatch;
    /** Set in manual serving mode: incoming calls wait here until the application polls. */
    private final ManualExecutor manual;
    private final Object lock = new Object();
    private final Set<RpcConnection> connections = ConcurrentHashMap.newKeySet();
    /** Batch queues holding requests: only those, so that empty ones can be collected with their proxies. */
    private final Set<BatchQueue> holding = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** Connections being opened. Guarded by lock. */
    private int opening;
    /** Calls waiting for a connection with room, in arrival order. */
    private final java.util.concurrent.ConcurrentLinkedQueue<CompletableFuture<RpcConnection>> waiting =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean pumping = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    /** Where oneway requests and batches go while it is usable; see {@link #orderedConnection()}. */
    private volatile RpcConnection orderedHome;
    private volatile int state = RUNNING;

    public ClientImpl(ClientConfig config) {
        this.config = config;
        this.contracts = new Contracts(config.codec() != null ? config.codec() : JacksonCodec.cbor());
        this.transport = Transport.forClient(config.ioThreads(), "hermod-client");
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("hermod-client-timer", true),
                10, TimeUnit.MILLISECONDS);
        this.linkSettings = new Link.Settings(config.maxFrameSize(), config.heartbeatInterval(), false);
        this.ownedCallbacks = config.callbackExecutor() == null ? Executors2.callbackExecutor("hermod-callback") : null;
        this.peer = new Peer(contracts, timer, ownedCallbacks != null ? ownedCallbacks : config.callbackExecutor(),
                config.callTimeout(), this, config.batchFlushSize());
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
        this.dispatch = Dispatch.forClient(serving, MAX_IN_FLIGHT_PER_CONNECTION);
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
        return invokeAsync(Operation.dynamic(operation, values.length, contracts.codec()), service, values, options,
                null, false);
    }

    /** The async face of the describe service, for {@link #describe()}. */
    @dev.hermod.CompanionOf(Describe.class)
    public interface DescribeAsync {
        AsyncResult<List<dev.hermod.ServiceDescription>> describe();
    }

    @Override
    public AsyncResult<List<dev.hermod.ServiceDescription>> describe() {
        return proxy(DescribeAsync.class, Describe.SERVICE).describe();
    }

    @Override
    public URI target() {
        return config.target();
    }

    @Override
    public String describeTarget() {
        return config.target().toString();
    }

    @Override
    public AsyncResultImpl<Object> invokeAsync(Operation op, String service, Object[] args, CallOptions options,
            Object proxy, boolean oneway) {
        Call call = Call.create(op, service, args, options, options.timeout().orElse(config.callTimeout()), oneway);
        return Invocations.startAsync(call, peer, proxy, this::start);
    }

    // ---- batches ----

    @Override
    public BatchQueue newBatchQueue() {
        return new BatchQueue(this, io.netty.buffer.PooledByteBufAllocator.DEFAULT);
    }

    @Override
    public Object enqueue(BatchQueue queue, Operation op, String service, Object[] args, CallOptions options,
            Object proxy) {
        if (state != RUNNING) {
            throw new IllegalStateException("the client for " + config.target() + " is shut down");
        }
        Call call = Call.create(op, service, args, options, options.timeout().orElse(config.callTimeout()),
                op.isOnewayCapable());
        return Invocations.enqueue(queue, call, peer, proxy);
    }

    @Override
    public void holding(BatchQueue queue) {
        holding.add(queue);
    }

    @Override
    public void full(BatchQueue queue) {
        flush(queue).whenComplete((v, e) -> {
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
    public CompletableFuture<Void> flush(BatchQueue queue) {
        return flushOver(queue, null);
    }

    /** Sends a queue over {@code via}, or over the client's current connection if null. */
    private CompletableFuture<Void> flushOver(BatchQueue queue, RpcConnection via) {
        holding.remove(queue);
        List<BatchQueue.Item> items = queue.drain();
        if (items.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return Invocations.sendBatch(via != null ? CompletableFuture.completedFuture(via) : orderedConnection(), items);
    }

    private CompletableFuture<Void> flushAll(RpcConnection via) {
        List<CompletableFuture<Void>> flushes = new ArrayList<>();
        for (BatchQueue q : List.copyOf(holding)) {
            flushes.add(flushOver(q, via));
        }
        return CompletableFuture.allOf(flushes.toArray(CompletableFuture<?>[]::new));
    }

    @Override
    public void flushBatches() {
        await(flushBatchesAsync());
    }

    @Override
    public CompletableFuture<Void> flushBatchesAsync() {
        return flushAll(null);
    }

    @Override
    public void await(CompletableFuture<Void> flush) {
        Invocations.awaitFlush(flush, config.callTimeout(), config.target());
    }

    @Override
    public List<dev.hermod.Connection> connections() {
        List<dev.hermod.Connection> handles = new ArrayList<>();
        for (RpcConnection c : connections) {
            handles.add(new ConnectionHandle(c));
        }
        return handles;
    }

    /** The public face of one connection. */
    private final class ConnectionHandle implements dev.hermod.Connection {
        private final RpcConnection connection;

        ConnectionHandle(RpcConnection connection) {
            this.connection = connection;
        }

        @Override
        public java.net.SocketAddress remoteAddress() {
            return connection.link().remoteAddress();
        }

        @Override
        public boolean isOpen() {
            return connection.isUsable();
        }

        @Override
        public int outstandingCalls() {
            return connection.pendingCalls();
        }

        @Override
        public long queuedBytes() {
            return connection.backlogBytes();
        }

        @Override
        public void flushBatches() {
            await(flushBatchesAsync());
        }

        @Override
        public CompletableFuture<Void> flushBatchesAsync() {
            if (!connection.isUsable()) {
                return CompletableFuture.failedFuture(new ConnectionException("the connection to "
                        + remoteAddress() + " is closed", null, true));
            }
            return flushAll(connection);
        }

        @Override
        public String toString() {
            return "Connection[" + remoteAddress() + "]";
        }
    }

    @Override
    public Contract contract(Class<?> type) {
        return contracts.get(type);
    }

    @Override
    public Object invokeSync(Operation op, String service, Object[] args, CallOptions options, boolean oneway)
            throws Throwable {
        return Invocations.runSync(Call.create(op, service, args, options, options.timeout().orElse(config.callTimeout()), oneway), this::start);
    }

    private void start(Call call) {
        if (state != RUNNING) {
            throw new IllegalStateException("the client for " + config.target() + " is shut down");
        }
        call.schedule(timer);
        CompletableFuture<RpcConnection> c = call.isOneway() ? orderedConnection() : connection();
        if (c.isDone() && !c.isCompletedExceptionally()) {
            c.join().send(call);
        } else {
            c.whenComplete((conn, failure) -> {
                if (failure != null) {
                    call.fail(unwrap(failure));
                } else {
                    conn.send(call);
                }
            });
        }
    }

    private static Throwable unwrap(Throwable t) {
        return Invocations.unwrap(t);
    }

    /**
     * The connection for oneway requests and batches: the same one as long as it is usable, so
     * that the server receives them in the order they were sent even when calls are spread
     * over several connections.
     */
    private CompletableFuture<RpcConnection> orderedConnection() {
        RpcConnection home = orderedHome;
        if (home != null && home.isUsable()) {
            return CompletableFuture.completedFuture(home);
        }
        return connection().thenApply(this::home);
    }

    private synchronized RpcConnection home(RpcConnection candidate) {
        RpcConnection home = orderedHome;
        if (home != null && home.isUsable()) {
            return home;
        }
        orderedHome = candidate;
        return candidate;
    }

    /**
     * Chooses the connection for one more call: the open connection with the fewest calls
     * outstanding and below the per-connection cap. Opens connections as needed: up to
     * {@code connections} to spread calls over, and beyond that up to {@code maxConnections}
     * while every connection is at its cap. When none can take the call, it waits in line
     * ({@link #pump}) for a reply to free a slot or a new connection to open.
     */
    private CompletableFuture<RpcConnection> connection() {
        CompletableFuture<RpcConnection> waiter;
        boolean openOne;
        synchronized (lock) {
            RpcConnection best = leastLoaded();
            int total = usableCount() + opening;
            boolean full = !canTake(best);
            openOne = total < config.connections()
                    || (full && total < config.maxConnections())
                    || (best == null && opening == 0);
            if (openOne) {
                opening++;
            }
            if (!full && waiting.isEmpty()) {
                if (openOne) {
                    open();
                }
                return CompletableFuture.completedFuture(best);
            }
            waiter = new CompletableFuture<>();
            waiting.add(waiter);
        }
        if (openOne) {
            open(); // outside the lock: a connect that fails at once completes here
        } else {
            pump();
        }
        return waiter;
    }

    private RpcConnection leastLoaded() {
        RpcConnection best = null;
        for (RpcConnection c : connections) {
            if (c.isUsable() && (best == null || c.pendingCalls() < best.pendingCalls())) {
                best = c;
            }
        }
        return best;
    }

    private int usableCount() {
        int n = 0;
        for (RpcConnection c : connections) {
            if (c.isUsable()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether {@code c} should take one more call now. A busy connection leaves calls to the ones
     * being opened, so that calls spread over the pool from the start. Called under lock.
     */
    private boolean canTake(RpcConnection c) {
        return c != null && !isFull(c) && (opening == 0 || c.pendingCalls() == 0);
    }

    private boolean isFull(RpcConnection c) {
        return config.maxOutstandingPerConnection() > 0 && c.pendingCalls() >= config.maxOutstandingPerConnection();
    }

    /**
     * Hands waiting calls to connections with room, one at a time, in the order they came.
     * Runs after a reply frees a slot and after a connection opens.
     */
    private void pump() {
        if (waiting.isEmpty() || !pumping.compareAndSet(false, true)) {
            return;
        }
        try {
            while (true) {
                CompletableFuture<RpcConnection> next;
                RpcConnection conn;
                synchronized (lock) {
                    conn = leastLoaded();
                    if (!canTake(conn) || waiting.isEmpty()) {
                        break;
                    }
                    next = waiting.poll();
                }
                next.complete(conn); // sends the call here, so the next round sees it counted
            }
        } finally {
            pumping.set(false);
        }
        boolean more;
        synchronized (lock) {
            more = !waiting.isEmpty() && canTake(leastLoaded());
        }
        if (more) {
            pump(); // a slot freed while this pump was finishing
        } else {
            closeWhenDone();
        }
    }

    /** Opens one more connection; {@code opening} was already counted. */
    private void open() {
        URI target = config.target();
        InetSocketAddress address = InetSocketAddress.createUnresolved(target.getHost(), target.getPort());
        CompletableFuture<Link> ready = new CompletableFuture<>();
        AtomicReference<RpcConnection> made = new AtomicReference<>();
        ChannelFuture connect = transport.connect(address, config.connectTimeout(), ch -> Link.install(ch,
                linkSettings, link -> {
                    RpcConnection conn = new RpcConnection(link, dispatch, this, config.maxQueuedBytes(), peer);
                    made.set(conn);
                    return conn;
                }, ready));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(new ConnectionException("cannot connect to " + target + ": "
                        + f.cause().getMessage(), f.cause(), true));
            }
        });
        ready.whenComplete((link, failure) -> {
            RpcConnection conn = made.get();
            List<CompletableFuture<RpcConnection>> failed = List.of();
            synchronized (lock) {
                opening--;
                if (failure == null && state != STOPPED) {
                    connections.add(conn);
                } else if (usableCount() == 0 && opening == 0) {
                    // Nothing else will serve the calls waiting in line: they fail with this.
                    failed = new ArrayList<>(waiting);
                    waiting.clear();
                }
            }
            if (failure == null && state == STOPPED) {
                conn.link().close(closedError());
            }
            Throwable why = failure != null ? unwrap(failure) : closedError();
            for (CompletableFuture<RpcConnection> w : failed) {
                w.completeExceptionally(why);
            }
            pump();
        });
    }

    /** A call on {@code connection} has its outcome: its slot is free for a waiting call. */
    @Override
    public void onCallDone(RpcConnection connection) {
        if (!waiting.isEmpty()) {
            pump();
        }
    }

    private ConnectionException closedError() {
        return new ConnectionException("the client for " + config.target() + " was closed", null, false);
    }

    @Override
    public void onClosed(RpcConnection connection, RpcException cause) {
        connections.remove(connection);
        if (!waiting.isEmpty() && state != STOPPED) {
            // The waiting calls need a connection that is not there any more: open one.
            boolean openOne;
            synchronized (lock) {
                openOne = usableCount() + opening == 0;
                if (openOne) {
                    opening++;
                }
            }
            if (openOne) {
                open();
            }
        }
        closeWhenDone();
    }

    @Override
    public void shutdown() {
        synchronized (lock) {
            if (state != RUNNING) {
                return;
            }
            state = SHUTDOWN;
        }
        closeWhenDone();
    }

    /**
     * During a graceful shutdown: once no call waits for a connection, lets every connection
     * close as soon as its calls are answered.
     */
    private void closeWhenDone() {
        if (state != SHUTDOWN || !waiting.isEmpty()) {
            return;
        }
        for (RpcConnection c : List.copyOf(connections)) {
            c.closeWhenIdle();
        }
        if (connections.isEmpty() && opening == 0) {
            release();
        }
    }

    @Override
    public void shutdownNow() {
        List<CompletableFuture<RpcConnection>> stranded;
        synchronized (lock) {
            if (state == STOPPED) {
                return;
            }
            state = STOPPED;
            stranded = new ArrayList<>(waiting);
            waiting.clear();
        }
        ConnectionException closed = closedError();
        for (CompletableFuture<RpcConnection> w : stranded) {
            w.completeExceptionally(closed);
        }
        List<RpcConnection> open = new ArrayList<>(connections);
        for (RpcConnection c : open) {
            c.link().close(closed);
        }
        release();
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        timer.stop();
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
            terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    @Override
    public boolean isShutdown() {
        return state != RUNNING;
    }

    @Override
    public void close() {
        shutdownNow();
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
