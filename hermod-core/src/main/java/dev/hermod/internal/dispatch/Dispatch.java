package dev.hermod.internal.dispatch;

import dev.hermod.Status;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.contract.Service;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.reference.ObjectTable;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>This class routes requests to servants and counts them; one request being served is an
 * {@link Invocation}. The connection's side of it is its {@link Inbound}.
 */
public final class Dispatch {
    static final Logger log = LoggerFactory.getLogger(Dispatch.class);

    private final Map<String, Service> services;
    /** "server" or "client", for messages. */
    final String side;
    private final Executor executor;
    /** Whether requests are served only when the application polls: then polls count them. */
    final boolean polled;
    final boolean sendStackTraces;
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
    private Service lookup(Inbound connection, String name) {
        return !name.isEmpty() && name.charAt(0) == '@' ? connection.objects.service(name) : services.get(name);
    }

    private static String notFound(String name) {
        return !name.isEmpty() && name.charAt(0) == '@'
                ? "object " + name + " is not exported on this connection: it was released or revoked, or never existed"
                : "no service named '" + name + "' is bound on this server";
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

    /** A REQUEST frame arrived on {@code connection}. Called on its I/O thread. */
    public void onRequest(Inbound connection, Frames.RequestHeader h, ByteBuf body, boolean oneway) {
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
    private Invocation twoway(Inbound connection, Frames.RequestHeader h, ByteBuf body, long received) {
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
        connection.invocations.put(h.requestId(), inv);
        return inv;
    }

    private Invocation start(Inbound connection, Service service, Operation op, Frames.RequestHeader h,
            ByteBuf body, long received, boolean oneway) {
        body.retain();
        inFlight.incrementAndGet();
        if (connection.dispatching.incrementAndGet() == maxInFlightPerConnection) {
            // Stop reading: the peer's further requests wait in TCP buffers, and its sends back up.
            reconsiderReading(connection);
        }
        return new Invocation(this, connection, service, op, h, body, received, oneway);
    }

    /**
     * A oneway request: no reply whatever happens, so failures are only logged. Oneway requests
     * of one connection run one at a time in arrival order, so events keep their order.
     */
    private void onOneway(Inbound connection, Frames.RequestHeader h, ByteBuf body, long received) {
        if (h.service().equals(ObjectTable.CONTROL_SERVICE) && h.operation().equals(ObjectTable.RELEASE)) {
            connection.objects.onRelease(body); // answered here, in order with the requests around it
            return;
        }
        Service service = lookup(connection, h.service());
        Operation op = service == null ? null : service.contract().operation(h.operation());
        if (op == null) {
            log.warn("dropping oneway {} on service '{}' from {}: {}", h.operation(), h.service(),
                    connection.link.remoteAddress(), service == null ? notFound(h.service()) : "no such operation");
            return;
        }
        if (refusing || connection.isGoingAway()) {
            log.debug("dropping oneway {} on service '{}' from {}: shutting down", h.operation(), h.service(),
                    connection.link.remoteAddress());
            return;
        }
        lane(connection).execute(start(connection, service, op, h, body, received, true));
    }

    /**
     * One request of a BATCH frame. All the requests of a connection's batches, and its oneway
     * requests, run one at a time in the order they arrived; two-way ones are answered one by one.
     */
    public void onBatchItem(Inbound connection, Frames.RequestHeader h, ByteBuf body, boolean oneway) {
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
    private SerialExecutor lane(Inbound connection) {
        SerialExecutor lane = connection.lane;
        if (lane == null) {
            lane = new SerialExecutor(executor, r -> ((Invocation) r).rejected());
            connection.lane = lane;
        }
        return lane;
    }

    /** A CANCEL frame arrived on {@code connection}. */
    public void onCancel(Inbound connection, int requestId) {
        Invocation inv = connection.invocations.get(requestId);
        if (inv != null) {
            inv.cancel();
        }
    }

    /** An invocation of {@code connection} has sent its reply, or dropped it. */
    void finished(Inbound connection) {
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
    private void reconsiderReading(Inbound connection) {
        connection.link.reconsiderPause(Link.PAUSE_DISPATCH, paused -> {
            int n = connection.dispatching.get();
            return paused ? n > maxInFlightPerConnection / 2 : n >= maxInFlightPerConnection;
        });
    }

    private static void fail(Inbound connection, int requestId, Status status, boolean unprocessed,
            String message, Throwable trace) {
        connection.link.send(Frames.failure(connection.link.alloc(), requestId, status, unprocessed,
                message, trace, trace != null));
    }
}
