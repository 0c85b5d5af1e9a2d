package dev.hermod.internal.dispatch;

import dev.hermod.Status;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.contract.Service;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Wire;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.reference.ObjectTable;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
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
 * {@link Invocation}. The connection's side of it is its {@link Inbound}, which decides when a
 * request may enter dispatch. Requests run on the executor through a {@link FairScheduler}, so
 * that the connections with requests ready take turns.
 */
public final class Dispatch {
    static final Logger log = LoggerFactory.getLogger(Dispatch.class);

    private final Map<String, Service> services;
    /** "server" or "client", for messages. */
    final String side;
    /** Whether requests are served only when the application polls: then polls count them. */
    final boolean polled;
    final boolean sendStackTraces;
    final Limits limits;
    final Budget budget;
    /** Where stream signals run: the servants' executor, outside the fair scheduler's turns. */
    final Executor executor;
    final FairScheduler scheduler;
    /** Whether a server answers the describe operation of the reserved service ({@code false}: not bound). */
    private final String reservedService;
    /** Who may call what. */
    final Access access;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Set once, before the first request. */
    private List<dev.hermod.intercept.ServerInterceptor> serverInterceptors = List.of();
    private volatile boolean refusing;
    /** What is remembered of deduplicated calls; null on a client, which runs none. */
    private volatile Deduplication deduplication;
    private volatile Runnable onIdle;
    private volatile boolean passByReference;

    /**
     * A server's dispatch.
     *
     * @param reservedService a name that is reserved but bound to nothing, to say so when a
     *     request names it; null if none
     */
    public Dispatch(Map<String, Service> services, Executor executor, boolean sendStackTraces, Limits limits,
            String reservedService, Access access) {
        this(services, executor, sendStackTraces, limits, "server", reservedService, access);
    }

    private Dispatch(Map<String, Service> services, Executor executor, boolean sendStackTraces, Limits limits,
            String side, String reservedService, Access access) {
        this.side = side;
        this.access = access;
        this.services = Map.copyOf(services);
        this.polled = executor instanceof ManualExecutor;
        this.executor = executor;
        this.sendStackTraces = sendStackTraces;
        this.limits = limits;
        this.budget = new Budget(limits);
        this.reservedService = reservedService;
        this.scheduler = new FairScheduler(executor, polled ? Integer.MAX_VALUE : limits.maxConcurrentCalls(),
                polled ? Integer.MAX_VALUE : limits.maxConcurrentCallsPerConnection(), r -> {
                    if (r instanceof Invocation inv) {
                        inv.rejected();
                    } else if (!SerialExecutor.refused(r)) {
                        Executors2.runRefused(r);
                    }
                });
    }

    /**
     * A client's dispatch: it binds no named service and serves only the objects the client
     * exported on each connection, on {@code executor}.
     */
    /** The interceptors that see the calls dispatched here, in order; empty for none. */
    public List<dev.hermod.intercept.ServerInterceptor> serverInterceptors() {
        return serverInterceptors;
    }

    /**
     * Remembers the {@code @Deduplicated} calls run here and their replies (see
     * {@link Deduplication}); call once, before the first request is dispatched.
     */
    public void deduplicate(java.time.Duration window, int maxReplies, long maxBytes) {
        this.deduplication = new Deduplication(window, maxReplies, maxBytes, System::nanoTime);
    }

    /** Calls answered with the reply of an earlier run instead of running again. */
    public long deduplicatedReplays() {
        Deduplication d = deduplication;
        return d == null ? 0 : d.replayed();
    }

    /** Replies of deduplicated calls dropped before their window ended, to stay within the bounds. */
    public long deduplicationEvictions() {
        Deduplication d = deduplication;
        return d == null ? 0 : d.evictedEarly();
    }

    /**
     * Lets in-process callers in this class loader hand arguments and results over by reference
     * ({@link Collocation}); call once, before the first request is dispatched.
     */
    public void passByReference() {
        this.passByReference = true;
    }

    /** Whether in-process callers may hand arguments and results over by reference. */
    boolean passesByReference() {
        return passByReference;
    }

    /** The service bound under that name, or null. */
    Service service(String name) {
        return services.get(name);
    }

    /** Sets the interceptors; call once, before the first request is dispatched. */
    public void intercept(List<dev.hermod.intercept.ServerInterceptor> interceptors) {
        this.serverInterceptors = List.copyOf(interceptors);
    }

    public static Dispatch forClient(Executor executor, Limits limits) {
        return new Dispatch(Map.of(), executor, true, limits, "client", null, Access.OPEN);
    }

    /**
     * The serving side of a new connection.
     *
     * @param onIdle runs each time no request of the connection is in dispatch any more
     */
    public Inbound newInbound(Link link, ObjectTable objects, Runnable onIdle) {
        return new Inbound(this, link, objects, onIdle);
    }

    /** The servant a request addresses: a bound service, or an object exported on the connection ({@code @n}). */
    private Service lookup(Inbound connection, String name) {
        return !name.isEmpty() && name.charAt(0) == '@' ? connection.objects.service(name) : services.get(name);
    }

    private String notFound(String name) {
        if (!name.isEmpty() && name.charAt(0) == '@') {
            return "object " + name + " is not exported on this connection: it was released or revoked, or never existed";
        }
        if (name.equals(reservedService)) {
            return "this server does not describe its services: its describe service is turned off";
        }
        return "no service named '" + name + "' is bound on this " + side;
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

    /** Request bytes held over all connections: frames not yet decoded, and decoded requests in dispatch. */
    public long heldRequestBytes() {
        return budget.requestBytes();
    }

    /** Bytes of replies over all connections handed to the transport and not yet written. */
    public long unwrittenReplyBytes() {
        return budget.replyBytes();
    }

    /**
     * A request the connection admitted into dispatch (on its I/O thread). {@code frame} holds
     * one reference for this request, given up once its arguments are decoded or it is dropped.
     * Items of a BATCH frame, and oneway requests, run in the connection's serial lane.
     */
    void admit(Inbound connection, Frames.RequestHeader h, ByteBuf body, boolean oneway, boolean compressed,
            HeldFrame frame, boolean batchItem) {
        long received = connection.link.readNanos();
        if (oneway) {
            onOneway(connection, h, body, compressed, frame, received);
            return;
        }
        Invocation inv = twoway(connection, h, body, compressed, frame, received);
        if (inv == null) {
            return;
        }
        if (batchItem) {
            lane(connection).execute(inv);
        } else {
            scheduler.execute(connection.tenant, inv);
        }
    }

    /** Checks a two-way request; answers it at once and returns null if it cannot be dispatched. */
    private Invocation twoway(Inbound connection, Frames.RequestHeader h, ByteBuf body, boolean compressed,
            HeldFrame frame, long received) {
        String refusal = null;
        Status status = null;
        Service service = null;
        Operation op = null;
        long source = Pipelines.source(h.service());
        if (source != -1 && !refusing && !connection.isGoingAway()) { // ^k: on the result of request k
            Pipelines.Resolution r = source == -2
                    ? Pipelines.Resolution.refused("'" + h.service() + "' names no request (^ and a request id)")
                    : connection.pipelines.arrived((int) source, new Pipelines.Parked(h, body, compressed, frame,
                            received), connection.invocations::containsKey);
            if (r == null) {
                return null; // waits for the result it was pipelined on
            }
            if (r.target() == null) {
                refuse(connection, h, frame, Status.OBJECT_NOT_FOUND, h.operation() + " pipelined on "
                        + h.service() + ": " + r.refusal());
                return null;
            }
            h = h.withService(r.target());
        }
        if (refusing || connection.isGoingAway()) {
            status = Status.UNAVAILABLE;
            refusal = "the server is shutting down; " + h.operation() + " on service '" + h.service() + "' was not run";
        } else if ((refusal = access.unauthenticated(connection.link, h.service())) != null) {
            status = Status.UNAUTHENTICATED;
        } else if ((service = lookup(connection, h.service())) == null) {
            status = h.service().startsWith("@") ? Status.OBJECT_NOT_FOUND : Status.SERVICE_NOT_FOUND;
            refusal = notFound(h.service());
        } else if ((op = service.contract().operation(h.operation())) == null) {
            status = Status.OPERATION_NOT_FOUND;
            refusal = "service '" + h.service() + "' (" + service.contract().type().getName()
                    + ") has no operation '" + h.operation() + "'";
        } else if ((op.streaming() != null) != h.stream()) {
            status = Status.OPERATION_NOT_FOUND;
            refusal = op.streaming() != null
                    ? h.operation() + " on service '" + h.service() + "' streams, and the request did not open"
                            + " streams (the STREAM flag; PROTOCOL.md section 26)"
                    : h.operation() + " on service '" + h.service() + "' does not stream, and the request has the"
                            + " STREAM flag";
        }
        if (refusal != null) {
            refuse(connection, h, frame, status, refusal);
            return null;
        }
        Invocation inv = start(connection, service, op, h, body, compressed, frame, received, false);
        connection.invocations.put(inv);
        Deduplication d = deduplication;
        String callId;
        if (d != null && op.isDeduplicated() && op.streaming() == null
                && (callId = h.context().get(Wire.CALL_ID)) != null) {
            java.security.Principal p = connection.link.principal();
            String key = h.service() + '\n' + h.operation() + '\n' + (p == null ? "" : p.getName()) + '\n' + callId;
            Deduplication.Entry claimed = d.claim(key, inv::replay);
            if (claimed == null) {
                return null; // answered with the reply of the call's first run, now or when it ends
            }
            inv.deduplicated(claimed);
        }
        return inv;
    }

    /** Answers a two-way request that is not dispatched with an unprocessed failure. */
    private static void refuse(Inbound connection, Frames.RequestHeader h, HeldFrame frame, Status status,
            String refusal) {
        frame.release();
        connection.replies.send(Frames.failure(connection.link.alloc(), h.requestId(), status, true, refusal,
                null, false), 0, () -> { });
    }

    /**
     * Request {@code k} of {@code connection} is answered ({@link Pipelines#settle}): the requests
     * pipelined on it that waited are dispatched, or refused, on the connection's I/O thread.
     */
    void resume(Inbound connection, Pipelines.Settled settled) {
        if (settled.parked().isEmpty()) {
            return;
        }
        try {
            connection.link.eventLoop().execute(() -> resumeHere(connection, settled));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            settled.parked().forEach(p -> p.frame().release());
        }
    }

    private void resumeHere(Inbound connection, Pipelines.Settled settled) {
        Pipelines.Resolution r = settled.resolution();
        for (Pipelines.Parked p : settled.parked()) {
            Frames.RequestHeader h = p.header();
            if (connection.isClosed()) {
                p.frame().release();
            } else if (r.target() == null) {
                refuseParked(connection, p, Status.OBJECT_NOT_FOUND, h.operation() + " pipelined on " + h.service()
                        + ": " + r.refusal());
            } else {
                Invocation inv = twoway(connection, h.withService(r.target()), p.body(), p.compressed(), p.frame(),
                        p.received());
                connection.pipelines.left(h.requestId()); // served now, or answered
                if (inv != null) {
                    scheduler.execute(connection.tenant, inv);
                } else if (!connection.invocations.containsKey(h.requestId())) {
                    // refused: what was pipelined on it has nothing to run on either
                    resumeHere(connection, connection.pipelines.settle(h.requestId(), null, "was refused", false));
                }
            }
        }
    }

    /** Refuses a request that waited for its result; what was pipelined on it is refused too. */
    private void refuseParked(Inbound connection, Pipelines.Parked p, Status status, String refusal) {
        int id = p.header().requestId();
        refuse(connection, p.header(), p.frame(), status, refusal);
        connection.pipelines.left(id);
        resumeHere(connection, connection.pipelines.settle(id, null, "was refused (" + status + ")", false));
    }

    private Invocation start(Inbound connection, Service service, Operation op, Frames.RequestHeader h,
            ByteBuf body, boolean compressed, HeldFrame frame, long received, boolean oneway) {
        inFlight.incrementAndGet();
        connection.dispatching.incrementAndGet();
        return new Invocation(connection, service, op, h, body, compressed, frame, received, oneway);
    }

    /**
     * A oneway request: no reply whatever happens, so failures are only logged. Oneway requests
     * of one connection run one at a time in arrival order, so events keep their order.
     */
    private void onOneway(Inbound connection, Frames.RequestHeader h, ByteBuf body, boolean compressed,
            HeldFrame frame, long received) {
        if (h.service().equals(ObjectTable.CONTROL_SERVICE) && h.operation().equals(ObjectTable.RELEASE)) {
            try {
                connection.objects.onRelease(body, connection.log); // answered here, in order with the requests around it
            } finally {
                frame.release();
            }
            return;
        }
        Service service = access.unauthenticated(connection.link, h.service()) != null ? null
                : lookup(connection, h.service());
        Operation op = service == null ? null : service.contract().operation(h.operation());
        if (op != null && op.streaming() != null) {
            op = null; // a stream needs a reply to end it: never oneway
        }
        // Run even after GOAWAY (or while the server shuts down): the sender cannot know that a
        // oneway request crossing the GOAWAY was dropped, so none is; the grace period bounds them.
        if (op == null) {
            frame.release();
            connection.log.debug("dropping oneway {} on service '{}' from {}: {}", h.operation(), h.service(),
                    String.valueOf(connection.link.remoteAddress()),
                    service == null ? notFound(h.service()) : "no such operation");
            return;
        }
        lane(connection).execute(start(connection, service, op, h, body, compressed, frame, received, true));
    }

    /** The connection's serial lane (created on its I/O thread, the only one that calls this). */
    private SerialExecutor lane(Inbound connection) {
        SerialExecutor lane = connection.lane;
        if (lane == null) {
            lane = new SerialExecutor(task -> scheduler.execute(connection.tenant, task), r -> ((Invocation) r).rejected());
            connection.lane = lane;
        }
        return lane;
    }

    /** A CANCEL frame arrived on {@code connection}. */
    public void onCancel(Inbound connection, int requestId) {
        Invocation inv = connection.invocations.get(requestId);
        if (inv != null) {
            inv.cancel();
            return;
        }
        Pipelines.Parked parked = connection.pipelines.cancel(requestId);
        if (parked != null) { // pipelined, still waiting for its result: it never runs
            refuseParked(connection, parked, Status.CANCELED, parked.header().operation() + " pipelined on "
                    + parked.header().service() + " was canceled before it could run");
        }
    }

    /** A stream frame for a request {@code connection} is serving arrived; one for an answered request is dropped. */
    public void onStreamFrame(Inbound connection, int type, int requestId, int slot, ByteBuf body) {
        Invocation inv = connection.invocations.get(requestId);
        if (inv != null && inv.streams != null) {
            inv.streams.onFrame(type, slot, body);
        } else if (type == Wire.STREAM_END) {
            dev.hermod.internal.protocol.StreamFrames.readEnd(body); // still checked
        }
    }

    /** An invocation of {@code connection} has left dispatch: its reply is written, or it had none to send. */
    void finished(Inbound connection) {
        connection.ended();
        if (inFlight.decrementAndGet() == 0 && refusing) {
            Runnable r = onIdle;
            if (r != null) {
                r.run();
            }
        }
    }
}
