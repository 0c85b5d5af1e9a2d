package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.dispatch.Invocation;
import dev.hermod.internal.transport.InOrder;
import dev.hermod.internal.transport.Transport;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

// One file, past 500 lines: the outcome of a call is decided once, by whichever of the reply, the
// deadline, a connection failure, a cancel or a retry comes first; each of those paths is here,
// over the send state of the layer below (SendState). Waiting for the outcome is in Waiting; what
// only the rarer paths keep is in CallExtras.
/**
 * One outgoing invocation, from the moment a proxy method is called until its outcome is known.
 * The outcome is a value (null for void), a declared exception, or an {@link RpcException}; it is
 * set exactly once, by whichever comes first of the reply, the deadline, a connection failure or
 * cancellation. Completed on whichever thread decides it: user-facing callbacks hop elsewhere
 * ({@link AsyncResultImpl}).
 *
 * <p>The call is itself the future of that internal outcome, one object less per call than a
 * future of its own ({@link SendState}, the layer below, keeps whether and when the request
 * went out); only this package sees it, and only {@link #succeed}, {@link #fail} and the
 * paths named above complete it. Users see the outcome through an {@link AsyncResultImpl} or a
 * synchronous call's return, never this future.
 */
public final class Call extends SendState implements Invocation.Child, io.netty.util.TimerTask {
    /**
     * A timeout of this length or longer means no deadline (100 years): the call never expires
     * unless {@link #expireAfter} says so, and the server is told there is no deadline. Longer
     * timeouts saturate here instead of overflowing the clock.
     */
    static final long NO_DEADLINE_NANOS = TimeUnit.DAYS.toNanos(36_525);
    /** The longest time left the wire can carry, in milliseconds (an unsigned 32-bit field). */
    private static final long MAX_WIRE_TIMEOUT_MILLIS = 0xFFFF_FFFFL;
    /** The operation name of flush results. */
    private static final Operation FLUSH = Operation.local("flushBatches");
    private static final java.lang.invoke.VarHandle EXTRAS;

    static {
        try {
            EXTRAS = java.lang.invoke.MethodHandles.lookup().findVarHandle(Call.class, "extras", CallExtras.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Operation operation;
    final String service;
    final Object[] args;
    /** Changed only by client interceptors, before the call is sent. */
    CallOptions options;
    /** Sent without expecting a reply: complete once written. */
    final boolean oneway;
    /** Queued on a batch proxy: a oneway one is complete once queued, and sent later. */
    volatile boolean batched;
    /** Where the call was started, for re-sending it; null until then. */
    private volatile Invoker invoker;
    /** Times the request was given to a connection to send. Guarded by this. */
    private int attempts;
    private final long startNanos;
    private volatile long deadlineNanos;
    /** No deadline: no timer, and none on the wire. */
    private volatile boolean unbounded;
    volatile RpcConnection connection;
    volatile int requestId;
    /** The current attempt hands its arguments over by reference, in process ({@link ByReference}). */
    volatile boolean byReference;
    /** The result the serving end handed back by reference, for the current attempt. */
    volatile Object handedResult;
    /** Its place among the two-way requests handed to its connection, from 1; 0 until handed over. */
    volatile long sequence;
    /** Receives progress reports; set for asynchronous invocations only. */
    volatile AsyncResultImpl<?> result;
    /**
     * The proxy an asynchronous invocation was made through, for {@link AsyncResultImpl#proxy()};
     * null for others. Kept here, where the object's alignment leaves room for it, rather than in
     * the result. Set before the call starts.
     */
    Object proxy;
    /** The streams the call sends and receives (PROTOCOL.md section 26); null if it has none. */
    final CallStreams streams;
    /** The client or server the call is made through, whose timer arms its deadline; null until {@link #schedule}. */
    volatile Peer peer;
    /** What the call needs only on its rarer paths; null until one of them makes it ({@link #extras()}). */
    private volatile CallExtras extras;
    /** Waited for by {@link Waiting#sync}, which reports its outcome to the interceptors. */
    boolean awaitedSync;
    private volatile Timeout timer;

    private Call(Operation operation, String service, Object[] args, CallOptions options, Duration timeout,
            boolean oneway) {
        this.oneway = oneway;
        this.operation = operation;
        this.service = service;
        this.streams = operation.streaming() == null || operation == FLUSH ? null : CallStreams.take(operation, args);
        this.args = args;
        this.options = options;
        this.startNanos = System.nanoTime();
        long nanos = timeoutNanos(timeout);
        this.unbounded = nanos >= NO_DEADLINE_NANOS;
        this.deadlineNanos = startNanos + nanos;
        if (streams != null) {
            streams.bind(this);
        }
    }

    /** {@code timeout} in nanoseconds, saturated at {@link #NO_DEADLINE_NANOS}: never overflows. */
    static long timeoutNanos(Duration timeout) {
        return Math.min(TimeUnit.NANOSECONDS.convert(timeout), NO_DEADLINE_NANOS);
    }

    /**
     * Creates a call whose deadline is {@code timeout} from now. A call made while the thread is
     * dispatching another invocation inherits that invocation's deadline when it is earlier, and
     * a two-way one is canceled when that invocation is canceled or completes.
     */
    public static Call create(Operation operation, String service, Object[] args, CallOptions options,
            Duration timeout) {
        return create(operation, service, args, options, timeout, false);
    }

    /**
     * Sends the call over the connection its invoker picks, now or once that connection is
     * there, and arms its deadline.
     *
     * @throws IllegalStateException if the invoker takes no more calls
     */
    void start(Invoker invoker) {
        invoker.ensureOpen();
        this.invoker = invoker;
        if (intercept(invoker.peer(), invoker instanceof Reference || invoker instanceof Pipeline,
                oneway ? dev.hermod.intercept.ClientCall.Kind.ONEWAY
                        : result != null ? dev.hermod.intercept.ClientCall.Kind.ASYNC : dev.hermod.intercept.ClientCall.Kind.SYNC)) {
            return; // decided by an interceptor: never sent
        }
        // Nothing ran between the call's creation and here but bookkeeping, unless interceptors or
        // streams did (interceptors, like the call's other rare paths, made its extras): the clock
        // read at creation is still "now", within a microsecond.
        long now = extras == null && streams == null ? startNanos : System.nanoTime();
        Retries retries = invoker.retries();
        if (retries != null) {
            retries.started(now);
        }
        schedule(invoker.peer(), now);
        attempt(invoker);
    }

    /** Sends the request over the connection the invoker picks, now or once it is there. */
    private void attempt(Invoker invoker) {
        CompletableFuture<RpcConnection> c = invoker.connectionFor(this);
        if (c.isDone() && !c.isCompletedExceptionally()) {
            sendOn(c.join());
            return;
        }
        // It waits for a connection, holding heap meanwhile: an asynchronous call past the limit
        // is refused, so a loop of them cannot fill the heap before a connection is even open.
        Peer peer = invoker.peer();
        long cost = RpcConnection.QUEUED_CALL_COST + RequestFrames.sizeHint(args);
        if (!peer.reserveWaiting(cost, result != null)) {
            InOrder.abandon(c); // a place in line it will not take
            fail(peer.waitingRefusal(describe(), invoker.describeTarget()));
            return;
        }
        c.whenComplete((conn, failure) -> {
            peer.releaseWaiting(cost);
            if (failure != null) {
                failUnsent(Exceptions.unwrap(failure)); // it never had a connection
            } else {
                sendOn(conn);
            }
        });
    }

    private void sendOn(RpcConnection conn) {
        synchronized (this) {
            attempts++;
        }
        conn.send(this);
    }

    /** Creates a call, oneway or not; see {@link #create(Operation, String, Object[], CallOptions, Duration)}. */
    public static Call create(Operation operation, String service, Object[] args, CallOptions options,
            Duration timeout, boolean oneway) {
        Invocation parent = Invocation.current();
        if (parent != null) {
            long left = parent.remainingNanos();
            if (left < timeoutNanos(timeout)) {
                timeout = Duration.ofNanos(Math.max(1, left));
            }
        }
        if (operation.isDeduplicated() && !oneway && operation.streaming() == null
                && !options.context().containsKey(dev.hermod.internal.protocol.Wire.CALL_ID)) {
            // one id for every attempt: the server runs the call once, however often it is sent
            options = options.withContext(dev.hermod.internal.protocol.Wire.CALL_ID, java.util.UUID.randomUUID().toString());
        }
        Call call = new Call(operation, service, args, options, timeout, oneway);
        if (parent != null && !oneway) {
            // A oneway call (an event, typically) is fire-and-forget: it is not canceled when
            // the invocation that made it ends, even if the transport has not taken it yet.
            parent.adopt(call);
        }
        return call;
    }

    /**
     * Creates a oneway call of Hermod's own, which belongs to no invocation: nothing cancels it
     * when the invocation the calling thread is serving ends.
     */
    static Call control(Operation operation, String service, Object[] args, Duration timeout) {
        Call call = new Call(operation, service, args, CallOptions.defaults(), timeout, true);
        call.extras().control = true;
        return call;
    }

    /**
     * Shows the call to the client interceptors, if there are any, before it is sent; returns true
     * if one of them decided it, so that it must not be sent. Their {@code onComplete} runs when
     * the outcome is known: in {@link Waiting#sync}, when the {@link AsyncResultImpl} settles, or else
     * here, off the I/O threads.
     */
    boolean intercept(Peer peer, boolean onReference, dev.hermod.intercept.ClientCall.Kind kind) {
        java.util.List<dev.hermod.intercept.ClientInterceptor> chain = peer.clientInterceptors();
        CallExtras x = extras;
        if (chain.isEmpty() || isFlush() || streams != null || x != null && (x.control || x.interception != null)) {
            return false;
        }
        Interception i = new Interception(this, chain, kind, onReference);
        extras().interception = i;
        boolean reportedElsewhere = awaitedSync || result != null;
        whenComplete((v, e) -> {
            i.ended(); // the call's duration, measured as its outcome is decided
            if (reportedElsewhere) {
                return;
            }
            if (!Transport.onIoThread() || e == null && peer.directCallbacks()) { // a reply, there: see settled
                i.finish();
                return;
            }
            try {
                peer.callbacks().execute(i::finish);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                i.finish();
            }
        });
        return i.start();
    }

    /** Reports the known outcome to the client interceptors, if they have not had it yet. */
    void intercepted() {
        Interception i = interception();
        if (i != null && isDone()) {
            i.finish();
        }
    }

    /** Time from the start to {@code nanos}, in {@link System#nanoTime()} terms. */
    long elapsedNanosAt(long nanos) {
        return nanos - startNanos;
    }

    /** Time from the start to now. */
    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** Whether the call has a deadline. */
    boolean hasDeadline() {
        return !unbounded;
    }

    /** Completes the call as an interceptor decided, without sending it. */
    void shortCircuit(Object value, Throwable failure) {
        if (failure != null ? completeExceptionally(failure) : complete(value)) {
            withdraw();
            settled(false);
        }
    }

    /**
     * Creates the call that stands for a batch flush: it is sent when the batch is handed to the
     * transport and completes when the batch is written. It cannot be canceled and has no timer:
     * {@code timeout} only bounds how long its result's waits last.
     */
    static Call flush(String service, Duration timeout) {
        return new Call(FLUSH, service, new Object[0], CallOptions.defaults(), timeout, true);
    }

    /** Whether the call stands for a batch flush: no request of its own, nothing to cancel, complete once written. */
    private boolean isFlush() {
        return operation == FLUSH;
    }

    /** What the call needs on its rarer paths, made by the first that does. */
    private CallExtras extras() {
        CallExtras x = extras;
        if (x == null) {
            x = new CallExtras();
            if (!EXTRAS.compareAndSet(this, null, x)) {
                x = extras;
            }
        }
        return x;
    }

    /** The client interceptors' view of the call; null if there are none. */
    private Interception interception() {
        CallExtras x = extras;
        return x == null ? null : x.interception;
    }

    /** The progress reports of the call's result, if any were reported or listened for; null otherwise. */
    ResultProgress progress() {
        CallExtras x = extras;
        return x == null ? null : x.progress;
    }

    /** Keeps {@code made} as the result's progress reports unless some are kept already; returns those kept. */
    ResultProgress progress(ResultProgress made) {
        Object won = CallExtras.PROGRESS.compareAndExchange(extras(), (ResultProgress) null, made);
        return won != null ? (ResultProgress) won : made;
    }

    /** Holds the request back by flow control: {@code ticket} is the backlog's, to drop it if withdrawn. */
    void queued(Object ticket) {
        extras().queued = ticket;
    }

    /** The backlog's ticket while the request is held back by flow control; null otherwise. */
    Object queued() {
        CallExtras x = extras;
        return x == null ? null : x.queued;
    }

    /** The request left the backlog: no ticket to drop any more. */
    void unqueued() {
        CallExtras x = extras;
        if (x != null) {
            x.queued = null;
        }
    }

    /** Sends the request to {@code target} on the wire instead of the call's service ({@link Pipeline}). */
    void target(String target) {
        extras().target = target;
    }

    /** The operation and service, for messages: {@code getName on service 'employees'}. */
    String describe() {
        return describe(operation, service);
    }

    /**
     * {@code getName on service 'employees'}, {@code onEvent on object @3 (Listener)}, or for a
     * batch flush of no service, {@code flushBatches}.
     */
    static String describe(Operation operation, String service) {
        return operation == FLUSH && service.isEmpty() ? operation.name() : operation.describeOn(service);
    }

    /** The operation invoked. */
    public Operation operation() {
        return operation;
    }

    /** The service name. */
    public String service() {
        return service;
    }

    /** When the deadline passes, in {@link System#nanoTime()} terms. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Arms the deadline on {@code peer}'s timer, unless the call has no deadline. */
    public void schedule(Peer peer) {
        this.peer = peer;
        if (!unbounded) {
            arm(deadlineNanos - System.nanoTime());
        }
    }

    /**
     * Arms the deadline on {@code peer}'s timer as the call starts, {@code now} being the time: a
     * near one at once, another at the next sweep of the peer's {@link Deadlines}, if the call is
     * still in progress then.
     */
    private void schedule(Peer peer, long now) {
        this.peer = peer;
        if (unbounded) {
            return;
        }
        long left = deadlineNanos - now;
        if (left < Deadlines.LATE_MIN_NANOS) {
            arm(left);
        } else {
            peer.deadlines().add(this);
        }
    }

    /**
     * The sweep of {@link Deadlines} found the call: arms its deadline unless the call is over or
     * its deadline was armed meanwhile ({@link #expireAfter}). On the timer's thread.
     */
    void armLate() {
        if (timer != null || isDone()) {
            return;
        }
        synchronized (this) { // with expireAfter, which may move the deadline as this reads it
            if (timer == null) {
                arm(deadlineNanos - System.nanoTime());
            }
        }
    }

    /**
     * The time left, for the wire: whole milliseconds, at least 1 so that a call about to expire
     * is never sent as 0; 0 ("no deadline") for a call without one, or with more time left than
     * the field holds: the caller still enforces its own deadline then.
     */
    long wireTimeoutMillis() {
        if (unbounded) {
            return 0;
        }
        // Sent by the thread starting the call, with nothing but bookkeeping since it was made
        // (as in start): the clock read at creation is still "now", within a microsecond.
        long now = startedHere() && extras == null && streams == null ? startNanos
                : System.nanoTime();
        long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - now);
        return millis > MAX_WIRE_TIMEOUT_MILLIS ? 0 : Math.max(1, millis);
    }

    /**
     * The deadline's timer fired: {@linkplain #expire expires} the call. The call is its own
     * timer task, one object less per call than a lambda. Called by the timer only.
     */
    @Override
    public void run(Timeout timeout) {
        expire();
    }

    private void arm(long delayNanos) {
        Timeout t = peer.timer().newTimeout(this, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        Timeout old = timer;
        timer = t;
        if (old != null) {
            old.cancel();
        }
        if (isDone()) {
            t.cancel();
        }
    }

    /** Moves the deadline earlier; a later one, or no deadline, is ignored. */
    void expireAfter(Duration timeout) {
        long nanos = timeoutNanos(timeout);
        long candidate = System.nanoTime() + nanos;
        if (nanos < NO_DEADLINE_NANOS && candidate - deadlineNanos < 0 && !isDone()) {
            synchronized (this) { // with armLate, which reads the deadline
                deadlineNanos = candidate;
                unbounded = false;
                if (peer != null && !isFlush()) {
                    arm(candidate - System.nanoTime());
                }
            }
        }
    }

    /** The internal outcome: this call, completed on the thread that decides it. */
    CompletableFuture<Object> outcome() {
        return this;
    }

    /** A progress report arrived from the server. Called on the I/O thread. */
    void progress(double fraction, String message) {
        AsyncResultImpl<?> r = result;
        if (r != null) {
            r.progressed(new dev.hermod.Progress(fraction, message));
        }
    }

    /** Called when the request frame has been handed to the transport. */
    void markSent() {
        recordSent();
        if (streams != null) {
            streams.sent();
        }
        decideSent(Boolean.TRUE);
    }

    /** Whether the call expects no reply. */
    public boolean isOneway() {
        return oneway;
    }

    /**
     * Fails a call that never reached a connection (none could be opened, or the client closed
     * while it waited for one): the server cannot have seen it, whatever the cause says.
     */
    public void failUnsent(Throwable why) {
        fail(why instanceof RpcException r ? Exceptions.unsent(r) : why);
    }

    void succeed(Object value) {
        if (complete(value)) {
            settled(true);
        }
    }

    /**
     * Fails the attempt as refused unrun by a server going away, which took no request after an
     * earlier one (its GOAWAY): as {@link #fail}, except that the refusal does not count against
     * the attempts ({@link Retries}).
     */
    void refused(RpcException failure) {
        synchronized (this) {
            extras().refusals++; // in the extras: rare, and a field here would grow every call
        }
        fail(failure);
    }

    /**
     * Fails the call, unless its outcome is already known, or sends it again if the failure
     * allows ({@link Retries}).
     */
    public void fail(Throwable failure) {
        if (isDone() || retryLater(failure)
                || invoker instanceof Pipeline p && p.deferFailure(this, failure)) {
            return;
        }
        if (mayHaveRun() && failure instanceof RpcException r && r.isUnprocessed()) {
            failure = Exceptions.withUnprocessed(r, false); // an earlier attempt may have run
        }
        if (completeExceptionally(failure)) {
            settled(false);
        }
    }

    /**
     * Sends the call again later if {@code failure} allows it: see {@link Retries#delayNanos}.
     * The deadline timer keeps running meanwhile; canceling the call stops the retry.
     */
    private boolean retryLater(Throwable failure) {
        Invoker inv = invoker;
        Retries retries = inv == null ? null : inv.retries();
        // A stream is not re-sent: its items may have been delivered, its publishers subscribed.
        if (retries == null || isFlush() || batched || streams != null || !(failure instanceof RpcException r)) {
            return false;
        }
        RpcConnection on = connection;
        boolean reached = on != null; // given to a connection: counts as an attempt
        long delay;
        synchronized (this) {
            CallExtras x = extras();
            if (reached && !r.isUnprocessed() && operation.isDeduplicated() && x.mayHaveRunAt == null) {
                x.mayHaveRunAt = on.owner(); // before the delay, which then depends on that endpoint
            }
            delay = retries.delayNanos(this, r, reached, attempts, x.refusals, x.retried, inv);
            if (delay < 0 || isDone()) {
                return false;
            }
            x.retried = true;
            retries.counted();
            nextAttempt(!r.isUnprocessed()); // the old attempt's frame can no longer claim it
            connection = null;
            sequence = 0;
            x.queued = null;
            requestId = 0;
        }
        Runnable again = () -> {
            if (!isDone()) {
                attempt(inv);
            }
        };
        if (delay == 0) {
            resend(inv, again); // off the thread that reported the failure
        } else {
            peer.timer().newTimeout(t -> resend(inv, again), delay, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /**
     * Runs a re-send on the callback executor: it encodes the arguments, which neither the timer's
     * thread nor an I/O thread may do, and the thread that reported the failure may be either.
     * Refused by an executor that is full (a bounded pool that aborts: supported), it runs on the
     * common pool instead, never here: failing the call then would count one more attempt and
     * re-send it at once, refused again, until the stack overflows. A closed client fails it as
     * it is, with no retry.
     */
    private void resend(Invoker inv, Runnable again) {
        try {
            inv.peer().callbacks().execute(again);
        } catch (java.util.concurrent.RejectedExecutionException refused) {
            try {
                inv.ensureOpen();
            } catch (IllegalStateException closed) {
                failNow(Failures.connection(describe() + " could not be sent again: " + closed.getMessage(), refused,
                        !mayHaveRun()));
                return;
            }
            java.util.concurrent.ForkJoinPool.commonPool().execute(again);
        }
    }

    /** Whether the deadline leaves {@code delayNanos} to wait before sending again. */
    boolean hasTimeFor(long delayNanos) {
        return unbounded || deadlineNanos - (System.nanoTime() + delayNanos) > 0;
    }

    /**
     * The outcome is decided: tells the result, ends the deadline, decides the sent callback.
     * {@code succeeded}: by {@link #succeed}, which a reply read on an I/O thread does; a client
     * with direct callbacks then settles the result there, running user code, so after the rest.
     * A failure never does: a connection failing its calls may be holding its locks.
     */
    private void settled(boolean succeeded) {
        AsyncResultImpl<?> r = result; // set before the call started, so never missed
        Peer p = peer;
        boolean direct = succeeded && r != null && p != null && p.directCallbacks() && Transport.onIoThread();
        if (r != null && !direct) {
            r.outcomeArrived(false); // first: a thread waiting for it wakes the sooner
        }
        Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
        // Being sent (handed over), markSent follows, even if the reply was quicker; a batched
        // oneway call is complete once queued, and sent when its batch is.
        if (!isHandedOver() && !(batched && oneway && !isCompletedExceptionally())) {
            decideSent(Boolean.FALSE); // a call that ended unsent is never sent later
        }
        if (direct) {
            r.outcomeArrived(true);
        }
    }

    /**
     * For a {@code @Deduplicated} call that may have run: the owner of the connection it may have
     * run over, to which it must be sent again; null otherwise.
     */
    public RpcConnection.Owner mayHaveRunAt() {
        CallExtras x = extras;
        return x == null ? null : x.mayHaveRunAt;
    }

    /** The invoker the call was started on; null before it starts. */
    Invoker invoker() {
        return invoker;
    }

    /** The service name the request carries: {@link #service}, or a pipelined call's target. */
    String wireService() {
        CallExtras x = extras;
        String t = x == null ? null : x.target;
        return t != null ? t : service;
    }

    /**
     * Ends the call with {@code failure}, as {@link #cancel} does with its own: a request still
     * waiting to be sent is withdrawn; one already handed over is canceled on the server.
     *
     * @return true if this ended the call
     */
    boolean abandonWith(Throwable failure) {
        if (isDone() || isFlush()) {
            return false;
        }
        boolean unsent = withdraw();
        if (!completeExceptionally(failure)) {
            return false;
        }
        settled(false);
        abandon(unsent);
        return true;
    }

    /** Fails the call with {@code failure} now, as it is: no retry, no deferral. */
    void failNow(Throwable failure) {
        if (completeExceptionally(failure)) {
            settled(false);
        }
    }

    /** Called by the timer when the deadline passes. */
    void expire() {
        if (isDone()) {
            return;
        }
        RpcConnection waitedOn = connection;
        boolean unsent = withdraw();
        String why = unsent && waitedOn != null ? waitedOn.whyUnsent() : ""; // so a blocked caller learns why
        InvocationTimeoutException expired = Failures.timeout(describe() + " timed out after "
                + TimeUnit.NANOSECONDS.toMillis(deadlineNanos - startNanos) + " ms" + why, null, unsent);
        if (completeExceptionally(expired)) {
            settled(false);
            abandon(unsent); // a request still waiting is dropped; the server may stop work nobody waits for
        }
    }

    /**
     * Cancels the call: fails it with {@link InvocationCanceledException}. A request still waiting
     * to be sent is withdrawn, never to be sent, and the failure says it is unprocessed; one
     * already handed to the transport is canceled on the server with a CANCEL frame. A flush
     * cannot be canceled.
     *
     * @return true if this canceled the call
     */
    @Override
    public boolean cancel(String why) {
        if (isDone() || isFlush()) {
            return false;
        }
        boolean unsent = withdraw();
        InvocationCanceledException canceled =
                Failures.canceled(describe() + " canceled" + why, null, unsent);
        if (!completeExceptionally(canceled)) {
            return false;
        }
        settled(false);
        abandon(unsent);
        return true;
    }

    /** Stops waiting for the reply: drops a withdrawn request, or tells the server about a sent one. */
    private void abandon(boolean unsent) {
        RpcConnection c = connection;
        if (c == null) {
            return; // not on a connection yet: none will send it (see handOver)
        }
        if (unsent) {
            c.withdrawn(this);
        } else {
            c.forget(this);
            c.sendCancel(this);
        }
    }

    @Override
    public void whenDone(Runnable action) {
        whenComplete((v, e) -> action.run());
    }

    /**
     * Busy-waits a little for {@code f}, before a blocking wait, as this call's client lets
     * waiting threads ({@link SpinWait}); never past {@code until}.
     */
    void spinOn(java.util.concurrent.Future<?> f, long until) {
        Invoker inv = invoker;
        if (inv != null) {
            inv.peer().spinWait().spin(f, until);
        }
    }
}
