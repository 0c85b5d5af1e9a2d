package dev.hermod.internal.rpc;

import dev.hermod.Current;
import dev.hermod.Progress;
import dev.hermod.Status;
import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.contract.Contract;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.protocol.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves incoming requests: finds the servant and operation (on the I/O thread, where that is a
 * map lookup), then decodes the arguments, runs the operation and sends the reply on the dispatch
 * executor. Only operations declared by the bound contract can be reached.
 *
 * <p>Every request gets exactly one reply, whatever happens: a result, a declared exception, or a
 * failure with a status. Nothing a single request does closes the connection. A servant may answer
 * later without holding a thread by returning a {@link CompletionStage}.
 */
public final class Dispatch {
    private static final Logger log = LoggerFactory.getLogger(Dispatch.class);
    private static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();

    /** A servant bound under a name. */
    public record Service(String name, Contract contract, Object servant) {}

    private final Map<String, Service> services;
    /** "server" or "client", for messages. */
    private final String side;
    private final Executor executor;
    /** Whether requests are served only when the application polls: then polls count them. */
    private final boolean polled;
    private final boolean sendStackTraces;
    /** Past this many requests of one connection in dispatch, its requests are no longer read. */
    private final int maxInFlightPerConnection;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean refusing;
    private volatile Runnable onIdle;

    public Dispatch(Map<String, Service> services, Executor executor, boolean sendStackTraces,
            int maxInFlightPerConnection) {
        this(services, executor, sendStackTraces, maxInFlightPerConnection, "server");
    }

    private Dispatch(Map<String, Service> services, Executor executor, boolean sendStackTraces,
            int maxInFlightPerConnection, String side) {
        this.side = side;
        this.services = Map.copyOf(services);
        this.executor = executor;
        this.polled = executor instanceof ManualExecutor;
        this.sendStackTraces = sendStackTraces;
        this.maxInFlightPerConnection = maxInFlightPerConnection;
    }

    /**
     * A client's dispatch: it binds no named service and serves only the objects the client
     * exported on each connection, on {@code executor}.
     */
    public static Dispatch forClient(Executor executor, int maxInFlightPerConnection) {
        return new Dispatch(Map.of(), executor, true, maxInFlightPerConnection, "client");
    }

    /** The servant a request addresses: a bound service, or an object exported on the connection ({@code @n}). */
    private Service lookup(RpcConnection connection, String name) {
        return !name.isEmpty() && name.charAt(0) == '@' ? connection.objects().service(name) : services.get(name);
    }

    private static String notFound(String name) {
        return !name.isEmpty() && name.charAt(0) == '@'
                ? "object " + name + " is not exported on this connection: it was released or revoked, or never existed"
                : "no service named '" + name + "' is bound on this server";
    }

    /** The invocation the calling thread is dispatching, or null. */
    public static Current current() {
        return CURRENT.get();
    }

    /** The invocation the calling thread is dispatching, for calls it makes in turn; or null. */
    static Invocation currentInvocation() {
        return CURRENT.get();
    }

    /** Refuse requests from now on (as unprocessed, UNAVAILABLE); {@code onIdle} runs when none is in flight. */
    public void refuseNew(Runnable onIdle) {
        this.onIdle = onIdle;
        refusing = true;
        if (inFlight.get() == 0) {
            onIdle.run();
        }
    }

    /** Requests being dispatched right now, over all connections. */
    public int inFlight() {
        return inFlight.get();
    }

    void onRequest(RpcConnection connection, Frames.RequestHeader h, ByteBuf body, boolean oneway) {
        long received = System.nanoTime();
        if (oneway) {
            onOneway(connection, h, body, received);
            return;
        }
        Invocation inv = twoway(connection, h, body, received);
        if (inv == null) {
            return;
        }
        try {
            executor.execute(inv);
        } catch (RejectedExecutionException e) {
            inv.rejected();
        }
    }

    /** Checks a two-way request; answers it at once and returns null if it cannot be dispatched. */
    private Invocation twoway(RpcConnection connection, Frames.RequestHeader h, ByteBuf body, long received) {
        if (refusing || connection.isGoingAway()) {
            fail(connection, h.requestId(), Status.UNAVAILABLE, true,
                    "the server is shutting down; " + h.operation() + " on service '" + h.service()
                            + "' was not run", null);
            return null;
        }
        Service service = lookup(connection, h.service());
        if (service == null) {
            fail(connection, h.requestId(), h.service().startsWith("@") ? Status.OBJECT_NOT_FOUND
                    : Status.SERVICE_NOT_FOUND, true, notFound(h.service()), null);
            return null;
        }
        Operation op = service.contract().operation(h.operation());
        if (op == null) {
            fail(connection, h.requestId(), Status.OPERATION_NOT_FOUND, true,
                    "service '" + h.service() + "' (" + service.contract().type().getName()
                            + ") has no operation '" + h.operation() + "'", null);
            return null;
        }
        Invocation inv = start(connection, service, op, h, body, received, false);
        connection.inbound.put(h.requestId(), inv);
        return inv;
    }

    private Invocation start(RpcConnection connection, Service service, Operation op, Frames.RequestHeader h,
            ByteBuf body, long received, boolean oneway) {
        body.retain();
        inFlight.incrementAndGet();
        if (connection.dispatching.incrementAndGet() == maxInFlightPerConnection) {
            // Stop reading: the peer's further requests wait in TCP buffers, and its sends back up.
            reconsiderReading(connection);
        }
        return new Invocation(connection, service, op, h, body, received, oneway);
    }

    /**
     * A oneway request: no reply whatever happens, so failures are only logged. Oneway requests
     * of one connection run one at a time in arrival order, so events keep their order.
     */
    private void onOneway(RpcConnection connection, Frames.RequestHeader h, ByteBuf body, long received) {
        if (h.service().equals(ObjectTable.CONTROL_SERVICE) && h.operation().equals(ObjectTable.RELEASE)) {
            connection.objects().onRelease(body); // answered here, in order with the requests around it
            return;
        }
        Service service = lookup(connection, h.service());
        Operation op = service == null ? null : service.contract().operation(h.operation());
        if (op == null) {
            log.warn("dropping oneway {} on service '{}' from {}: {}", h.operation(), h.service(),
                    connection.link().remoteAddress(), service == null ? notFound(h.service()) : "no such operation");
            return;
        }
        if (refusing || connection.isGoingAway()) {
            log.debug("dropping oneway {} on service '{}' from {}: shutting down", h.operation(), h.service(),
                    connection.link().remoteAddress());
            return;
        }
        lane(connection).execute(start(connection, service, op, h, body, received, true));
    }

    /**
     * One request of a BATCH frame. All the requests of a connection's batches, and its oneway
     * requests, run one at a time in the order they arrived; two-way ones are answered one by one.
     */
    void onBatchItem(RpcConnection connection, Frames.RequestHeader h, ByteBuf body, boolean oneway) {
        if (oneway) {
            onOneway(connection, h, body, System.nanoTime());
            return;
        }
        Invocation inv = twoway(connection, h, body, System.nanoTime());
        if (inv != null) {
            lane(connection).execute(inv);
        }
    }

    /** The connection's serial lane (created on its I/O thread, the only one that calls this). */
    private SerialExecutor lane(RpcConnection connection) {
        SerialExecutor lane = connection.onewayLane;
        if (lane == null) {
            lane = new SerialExecutor(executor, r -> ((Invocation) r).rejected());
            connection.onewayLane = lane;
        }
        return lane;
    }

    void onCancel(RpcConnection connection, int requestId) {
        Invocation inv = connection.inbound.get(requestId);
        if (inv != null) {
            inv.cancel();
        }
    }

    private void finished(RpcConnection connection) {
        if (connection.dispatched() == maxInFlightPerConnection / 2) {
            reconsiderReading(connection);
        }
        if (inFlight.decrementAndGet() == 0 && refusing) {
            Runnable r = onIdle;
            if (r != null) {
                r.run();
            }
        }
    }

    /**
     * Pauses reading from the connection once {@code maxInFlightPerConnection} of its requests
     * are in dispatch, and resumes it once no more than half of that are. Called when the count
     * crosses either mark; the decision is made on the I/O thread from the count then, so a
     * pause and a resume requested at nearly the same time by different threads cannot apply in
     * the wrong order and leave the connection paused for good.
     */
    private void reconsiderReading(RpcConnection connection) {
        connection.link().reconsiderPause(dev.hermod.internal.protocol.Link.PAUSE_DISPATCH, paused -> {
            int n = connection.dispatching.get();
            return paused ? n > maxInFlightPerConnection / 2 : n >= maxInFlightPerConnection;
        });
    }

    private static void fail(RpcConnection connection, int requestId, Status status, boolean unprocessed,
            String message, Throwable trace) {
        connection.link().send(Frames.failure(connection.link().alloc(), requestId, status, unprocessed,
                message, trace, trace != null));
    }

    /** One request on its way through the executor; the servant's view of it is {@link Current}. */
    final class Invocation implements Runnable, Current {
        private final RpcConnection connection;
        private final Service service;
        private final Operation op;
        private final Frames.RequestHeader header;
        private final long deadlineNanos;
        private final AtomicBoolean replied = new AtomicBoolean();
        private final AtomicReference<Progress> pendingProgress = new AtomicReference<>();
        /** The calls this invocation made that are still running; created by the first one. */
        private volatile Set<Call> children;
        private final boolean oneway;
        private volatile boolean canceled;
        private volatile CompletionStage<?> stage;
        private Thread runner;
        private ByteBuf body;

        Invocation(RpcConnection connection, Service service, Operation op, Frames.RequestHeader header,
                ByteBuf body, long receivedNanos, boolean oneway) {
            this.oneway = oneway;
            this.connection = connection;
            this.service = service;
            this.op = op;
            this.header = header;
            this.body = body;
            this.deadlineNanos = header.timeoutMillis() == 0
                    ? Long.MAX_VALUE
                    : receivedNanos + TimeUnit.MILLISECONDS.toNanos(header.timeoutMillis());
        }

        @Override
        public void run() {
            if (!dev.hermod.internal.transport.Transport.onIoThread()) { // a cancel never interrupts I/O
                synchronized (this) {
                    runner = Thread.currentThread();
                }
            }
            CURRENT.set(this);
            if (polled) {
                ManualExecutor.served();
            }
            try {
                dispatch();
            } catch (Throwable t) {
                log.error("failed to answer {}", describe(), t);
                reply(Frames.failure(connection.link().alloc(), header.requestId(), Status.UNKNOWN, false,
                        "internal error while answering " + describe(), null, false));
            } finally {
                CURRENT.remove();
                synchronized (this) {
                    runner = null;
                }
                Thread.interrupted(); // a late cancel must not leak into the executor's next task
                releaseBody();
            }
        }

        private void dispatch() {
            int id = header.requestId();
            if (canceled) {
                reply(failureFrame(Status.CANCELED, true, describe() + " was canceled before it ran"));
                return;
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
                reply(failureFrame(Status.TIMEOUT, true, "the deadline of " + describe()
                        + " passed before it was dispatched"));
                return;
            }
            Object[] args;
            try {
                args = op.argumentCoder().decode(Frames.payload(body));
                connection.objects().argumentsFromWire(op, args);
            } catch (dev.hermod.ObjectNotFoundException e) {
                reply(failureFrame(Status.OBJECT_NOT_FOUND, true, "cannot run " + describe() + ": "
                        + e.getMessage()));
                return;
            } catch (dev.hermod.MarshalException e) {
                reply(failureFrame(Status.MARSHAL, true, "cannot decode the arguments of " + describe() + ": "
                        + e.getMessage()));
                return;
            } catch (Exception e) {
                reply(failureFrame(Status.MARSHAL, true, "cannot decode the arguments of " + describe()
                        + " as " + signature() + ": " + op.argumentFailure(e)));
                return;
            } finally {
                releaseBody();
            }
            Object result;
            try {
                result = op.method().invoke(service.servant(), args);
            } catch (InvocationTargetException e) {
                replyThrown(e.getCause());
                return;
            } catch (IllegalAccessException | IllegalArgumentException e) {
                replyThrown(e);
                return;
            }
            if (op.isAsync()) {
                if (result == null) {
                    replyThrown(new NullPointerException(op.displayName() + " returned null instead of a CompletionStage"));
                    return;
                }
                CompletionStage<?> s = (CompletionStage<?>) result;
                stage = s;
                if (canceled) {
                    cancelStage(s);
                }
                s.whenComplete((value, failure) -> {
                    if (failure != null) {
                        replyThrown(failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure);
                    } else {
                        replyResult(value);
                    }
                });
            } else {
                replyResult(result);
            }
        }

        private void replyResult(Object result) {
            if (replied.get()) {
                return;
            }
            ByteBuf frame = Frames.beginResult(connection.link().alloc(), header.requestId(), 64);
            try {
                Object value = op.resultReference() == null ? result
                        : connection.objects().toWire(op.resultReference(), result);
                op.resultCoder().encode(new Object[] {value}, new ByteBufOutputStream(frame));
            } catch (Exception | StackOverflowError e) {
                frame.release();
                reply(failureFrame(Status.MARSHAL, false, "cannot encode the result of " + describe() + ": "
                        + e.getMessage()));
                return;
            }
            reply(Frames.end(frame));
        }

        private void replyThrown(Throwable thrown) {
            if (replied.get()) {
                return;
            }
            if (canceled) {
                reply(failureFrame(Status.CANCELED, false, describe() + " was canceled"));
                return;
            }
            Class<? extends Throwable> declared = op.declaredTypeOf(thrown);
            if (declared != null) {
                ValueCoder coder = op.exceptionCoder(declared.getName());
                ByteBuf frame = Frames.beginException(connection.link().alloc(), header.requestId(), declared.getName());
                try {
                    coder.encode(new Object[] {thrown}, new ByteBufOutputStream(frame));
                    reply(Frames.end(frame));
                    return;
                } catch (Exception e) {
                    frame.release();
                    log.warn("cannot encode declared exception {} of {}; sending it as a remote failure",
                            declared.getName(), describe(), e);
                }
            }
            if (oneway) {
                log.warn("oneway {} failed; no caller waits for the exception", describe(), thrown);
            } else if (sendStackTraces) {
                log.debug("{} failed with an undeclared exception", describe(), thrown);
            } else {
                log.warn("{} failed with an undeclared exception", describe(), thrown);
            }
            reply(Frames.failure(connection.link().alloc(), header.requestId(), Status.REMOTE_FAILURE, false,
                    describe() + " failed on the " + side + ": " + thrown, thrown, sendStackTraces));
        }

        private ByteBuf failureFrame(Status status, boolean unprocessed, String message) {
            if (oneway) {
                // Nobody receives this failure: the log is the only place it can be seen.
                log.warn("oneway request dropped: {} ({})", message, status);
            }
            return Frames.failure(connection.link().alloc(), header.requestId(), status, unprocessed, message,
                    null, false);
        }

        /** The executor refused the request: answer that the server is overloaded. */
        void rejected() {
            releaseBody();
            reply(failureFrame(Status.RESOURCE_EXHAUSTED, true, "the server is overloaded; " + describe()
                    + " was not run"));
        }

        /** Sends the one reply this request gets, and ends the invocation. */
        void reply(ByteBuf frame) {
            if (!replied.compareAndSet(false, true)) {
                frame.release();
                return;
            }
            if (oneway) {
                frame.release(); // nobody waits for an answer
                connection.inbound.remove(header.requestId(), this);
                finished(connection);
                return;
            }
            Progress last = pendingProgress.getAndSet(null);
            if (last != null) { // a report made before the reply goes out before it
                connection.link().send(Frames.progress(connection.link().alloc(), header.requestId(),
                        last.fraction(), last.message()));
            }
            int length = Frames.frameLength(frame);
            if (length > connection.link().maxFrameSize()) {
                frame.release();
                frame = failureFrame(Status.MARSHAL, false, "the reply to " + describe() + " is " + length
                        + " bytes, above the maximum frame size of " + connection.link().maxFrameSize());
            }
            connection.link().send(frame);
            connection.inbound.remove(header.requestId(), this);
            cancelChildren(": the invocation that made it has completed");
            finished(connection);
        }

        synchronized void releaseBody() {
            if (body != null) {
                body.release();
                body = null;
            }
        }

        /** The caller canceled: stop what can be stopped, and cancel the calls this one made. */
        void cancel() {
            canceled = true;
            synchronized (this) {
                if (runner != null) {
                    runner.interrupt();
                }
            }
            CompletionStage<?> s = stage;
            if (s != null) {
                cancelStage(s);
            }
            cancelChildren(": the invocation that made it was canceled");
        }

        private void cancelStage(CompletionStage<?> s) {
            if (s instanceof CompletableFuture<?> f) {
                f.cancel(true);
            }
        }

        private void cancelChildren(String why) {
            Set<Call> set = children;
            if (set != null) {
                for (Call child : set) {
                    child.cancel(why);
                }
            }
        }

        /** A call this invocation makes: it shares the invocation's fate. */
        void adopt(Call child) {
            Set<Call> set = children;
            if (set == null) {
                synchronized (this) {
                    set = children;
                    if (set == null) {
                        set = ConcurrentHashMap.newKeySet();
                        children = set;
                    }
                }
            }
            Set<Call> adopted = set;
            adopted.add(child);
            child.outcome().whenComplete((v, e) -> adopted.remove(child));
            if (canceled || replied.get()) {
                child.cancel(": the invocation that made it has ended");
            }
        }

        /** Nanoseconds left before the caller's deadline, or {@link Long#MAX_VALUE} for none. */
        long remainingNanos() {
            return deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
        }

        private String describe() {
            return Call.describe(op, service.name());
        }

        private String signature() {
            StringBuilder sb = new StringBuilder("(");
            Class<?>[] p = op.method().getParameterTypes();
            for (int i = 0; i < p.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(p[i].getSimpleName());
            }
            return sb.append(')').toString();
        }

        @Override
        public String service() {
            return service.name();
        }

        @Override
        public String operation() {
            return op.name();
        }

        @Override
        public SocketAddress peer() {
            return connection.link().remoteAddress();
        }

        @Override
        public Map<String, String> context() {
            return header.context();
        }

        @Override
        public Optional<Duration> timeRemaining() {
            long left = remainingNanos();
            return left == Long.MAX_VALUE ? Optional.empty() : Optional.of(Duration.ofNanos(left));
        }

        @Override
        public boolean isCanceled() {
            return canceled;
        }

        @Override
        public void progress(double fraction, String message) {
            Progress p = new Progress(fraction, message);
            if (oneway || replied.get() || pendingProgress.getAndSet(p) != null) {
                return; // a send is already scheduled: it will carry the newest report
            }
            connection.link().eventLoop().execute(() -> {
                // Exactly one of this task and reply() takes each pending report. This task runs
                // on the event loop, and a reply written meanwhile from another thread queues
                // behind it, so a report taken here is written before the reply. It must be sent
                // even if reply() has begun: that reply found nothing pending because of it.
                Progress latest = pendingProgress.getAndSet(null);
                if (latest != null) {
                    connection.link().send(Frames.progress(connection.link().alloc(), header.requestId(),
                            latest.fraction(), latest.message()));
                }
            });
        }

        @Override
        public String toString() {
            return "Current[" + describe() + " from " + peer() + "]";
        }
    }
}
