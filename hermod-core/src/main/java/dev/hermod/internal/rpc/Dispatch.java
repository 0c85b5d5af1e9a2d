package dev.hermod.internal.rpc;

import dev.hermod.Current;
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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves incoming requests: finds the servant and operation (on the I/O thread, where that is a
 * map lookup), then decodes the arguments, runs the operation and sends the reply on the dispatch
 * executor. Only operations declared by the bound contract can be reached.
 *
 * <p>Every request gets exactly one reply, whatever happens: a result, a declared exception, or a
 * failure with a status. Nothing a single request does closes the connection.
 */
public final class Dispatch {
    private static final Logger log = LoggerFactory.getLogger(Dispatch.class);
    private static final ThreadLocal<Current> CURRENT = new ThreadLocal<>();

    /** A servant bound under a name. */
    public record Service(String name, Contract contract, Object servant) {}

    private final Map<String, Service> services;
    private final Executor executor;
    private final boolean sendStackTraces;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean refusing;
    private volatile Runnable onIdle;

    public Dispatch(Map<String, Service> services, Executor executor, boolean sendStackTraces) {
        this.services = Map.copyOf(services);
        this.executor = executor;
        this.sendStackTraces = sendStackTraces;
    }

    /** A dispatch that serves nothing: every request is answered with SERVICE_NOT_FOUND. */
    public static Dispatch none() {
        return new Dispatch(Map.of(), Runnable::run, false);
    }

    /** The invocation the calling thread is dispatching, or null. */
    public static Current current() {
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

    void onRequest(RpcConnection connection, Frames.RequestHeader h, ByteBuf body) {
        long received = System.nanoTime();
        if (refusing || connection.isGoingAway()) {
            fail(connection, h.requestId(), Status.UNAVAILABLE, true,
                    "the server is shutting down; " + h.operation() + " on service '" + h.service()
                            + "' was not run", null);
            return;
        }
        Service service = services.get(h.service());
        if (service == null) {
            fail(connection, h.requestId(), Status.SERVICE_NOT_FOUND, true,
                    "no service named '" + h.service() + "' is bound on this server", null);
            return;
        }
        Operation op = service.contract().operation(h.operation());
        if (op == null) {
            fail(connection, h.requestId(), Status.OPERATION_NOT_FOUND, true,
                    "service '" + h.service() + "' (" + service.contract().type().getName()
                            + ") has no operation '" + h.operation() + "'", null);
            return;
        }
        body.retain();
        inFlight.incrementAndGet();
        connection.dispatching.incrementAndGet();
        Invocation inv = new Invocation(connection, service, op, h, body, received);
        try {
            executor.execute(inv);
        } catch (RejectedExecutionException e) {
            body.release();
            finished(connection);
            fail(connection, h.requestId(), Status.RESOURCE_EXHAUSTED, true,
                    "the server is overloaded; " + h.operation() + " on service '" + h.service()
                            + "' was not run", null);
        }
    }

    private void finished(RpcConnection connection) {
        connection.dispatched();
        if (inFlight.decrementAndGet() == 0 && refusing) {
            Runnable r = onIdle;
            if (r != null) {
                r.run();
            }
        }
    }

    private static void fail(RpcConnection connection, int requestId, Status status, boolean unprocessed,
            String message, Throwable trace) {
        connection.link().send(Frames.failure(connection.link().alloc(), requestId, status, unprocessed,
                message, trace, trace != null));
    }

    /** One request on its way through the executor. */
    private final class Invocation implements Runnable, Current {
        private final RpcConnection connection;
        private final Service service;
        private final Operation op;
        private final Frames.RequestHeader header;
        private final long deadlineNanos;
        private ByteBuf body;

        Invocation(RpcConnection connection, Service service, Operation op, Frames.RequestHeader header,
                ByteBuf body, long receivedNanos) {
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
            try {
                dispatch();
            } catch (Throwable t) {
                log.error("failed to answer {} on service '{}'", op.name(), service.name(), t);
            } finally {
                if (body != null) {
                    body.release();
                }
                finished(connection);
            }
        }

        private void dispatch() {
            int id = header.requestId();
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
                fail(connection, id, Status.TIMEOUT, true, "the deadline of " + describe()
                        + " passed before it was dispatched", null);
                return;
            }
            Object[] args;
            try {
                args = op.argumentCoder().decode(body.nioBuffer());
            } catch (Exception e) {
                fail(connection, id, Status.MARSHAL, true, "cannot decode the arguments of " + describe()
                        + " as " + signature() + ": " + e.getMessage(), null);
                return;
            } finally {
                body.release();
                body = null;
            }
            Object result;
            CURRENT.set(this);
            try {
                result = op.method().invoke(service.servant(), args);
            } catch (InvocationTargetException e) {
                replyThrown(id, e.getCause());
                return;
            } catch (IllegalAccessException | IllegalArgumentException e) {
                replyThrown(id, e);
                return;
            } finally {
                CURRENT.remove();
            }
            replyResult(id, result);
        }

        private void replyResult(int id, Object result) {
            ByteBuf frame = Frames.beginResult(connection.link().alloc(), id, 64);
            try {
                op.resultCoder().encode(new Object[] {result}, new ByteBufOutputStream(frame));
            } catch (Exception | StackOverflowError e) {
                frame.release();
                fail(connection, id, Status.MARSHAL, false, "cannot encode the result of " + describe()
                        + ": " + e.getMessage(), null);
                return;
            }
            send(id, Frames.end(frame));
        }

        private void replyThrown(int id, Throwable thrown) {
            Class<? extends Throwable> declared = op.declaredTypeOf(thrown);
            if (declared != null) {
                ValueCoder coder = op.exceptionCoder(declared.getName());
                ByteBuf frame = Frames.beginException(connection.link().alloc(), id, declared.getName());
                try {
                    coder.encode(new Object[] {thrown}, new ByteBufOutputStream(frame));
                    send(id, Frames.end(frame));
                    return;
                } catch (Exception e) {
                    frame.release();
                    log.warn("cannot encode declared exception {} of {}; sending it as a remote failure",
                            declared.getName(), describe(), e);
                }
            }
            if (sendStackTraces) {
                log.debug("{} failed with an undeclared exception", describe(), thrown);
            } else {
                log.warn("{} failed with an undeclared exception", describe(), thrown);
            }
            String message = describe() + " failed on the server: " + thrown;
            connection.link().send(Frames.failure(connection.link().alloc(), id, Status.REMOTE_FAILURE,
                    false, message, thrown, sendStackTraces));
        }

        private void send(int id, ByteBuf frame) {
            int length = Frames.frameLength(frame);
            if (length > connection.link().maxFrameSize()) {
                frame.release();
                fail(connection, id, Status.MARSHAL, false, "the reply to " + describe() + " is " + length
                        + " bytes, above the maximum frame size of " + connection.link().maxFrameSize(), null);
                return;
            }
            connection.link().send(frame);
        }

        private String describe() {
            return op.name() + " on service '" + service.name() + "'";
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
            if (deadlineNanos == Long.MAX_VALUE) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(deadlineNanos - System.nanoTime()));
        }

        @Override
        public String toString() {
            return "Current[" + describe() + " from " + peer() + "]";
        }
    }
}
