package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.dispatch.Invocation;
import dev.hermod.internal.transport.Transport;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

// One file, longer than most: the outcome of a call is decided once, by whichever of the reply,
// the deadline, a connection failure, a cancel or a retry comes first, through one compare-and-set
// state (sent, handed over, withdrawn, per attempt); each of those paths reads and sets that state,
// and apart they would each reach back into it.
/**
 * One outgoing invocation, from the moment a proxy method is called until its outcome is known.
 * The outcome is a value (null for void), a declared exception, or an {@link RpcException}; it is
 * set exactly once, by whichever comes first of the reply, the deadline, a connection failure or
 * cancellation. Completed on whichever thread decides it: user-facing callbacks hop elsewhere
 * ({@link AsyncResultImpl}).
 */
public final class Call implements Invocation.Child, io.netty.util.TimerTask {
    /**
     * A timeout of this length or longer means no deadline (100 years): the call never expires
     * unless {@link #expireAfter} says so, and the server is told there is no deadline. Longer
     * timeouts saturate here instead of overflowing the clock.
     */
    static final long NO_DEADLINE_NANOS = TimeUnit.DAYS.toNanos(36_525);
    /** The longest time left the wire can carry, in milliseconds (an unsigned 32-bit field). */
    private static final long MAX_WIRE_TIMEOUT_MILLIS = 0xFFFF_FFFFL;
    /**
     * In the low bits of {@link #handover} (the high bits count the attempts, so that a frame of
     * an earlier attempt can never claim a later one): the request has not been handed to the
     * transport, and may still be.
     */
    private static final int UNSENT = 0;
    /** ... it has been handed to the transport, so the server may have seen it. */
    private static final int HANDED_OVER = 1;
    /** ... it was withdrawn before that (canceled or expired) and never will be. */
    private static final int WITHDRAWN = 2;
    private static final int STATE_BITS = 3;
    private static final int ATTEMPT_SHIFT = 2;
    private static final VarHandle HANDOVER;

    static {
        try {
            HANDOVER = MethodHandles.lookup().findVarHandle(Call.class, "handover", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The operation name of flush results. */
    private static final Operation FLUSH = Operation.local("flushBatches");

    final Operation operation;
    final String service;
    final Object[] args;
    /** Changed only by client interceptors, before the call is sent. */
    CallOptions options;
    /** Sent without expecting a reply: complete once written. */
    final boolean oneway;
    /** Flushes batches: no request of its own, so nothing to cancel; complete once written. */
    private final boolean flush;
    /** Queued on a batch proxy: a oneway one is complete once queued, and sent later. */
    volatile boolean batched;
    /**
     * The attempt number (high bits) and {@link #UNSENT}, {@link #HANDED_OVER} or
     * {@link #WITHDRAWN} (low bits); decides {@code isUnprocessed()}.
     */
    private volatile int handover;
    /** Where the call was started, for re-sending it; null until then. */
    private volatile Invoker invoker;
    /** Times the request was given to a connection to send. Guarded by this. */
    private int attempts;
    /** The call was re-sent at least once (and paid the retry budget for it). Guarded by this. */
    private boolean retried;
    /**
     * An earlier attempt may have reached the server: a later failure is not unprocessed, even if
     * its own attempt was never sent.
     */
    private volatile boolean mayHaveRun;
    /** While the request is held back by flow control: the backlog's ticket, to drop it if withdrawn. */
    volatile Object queued;
    private final CompletableFuture<Object> outcome = new CompletableFuture<>();
    /** Completes with true when the request is handed to the transport, false if the call ends first. */
    final CompletableFuture<Boolean> sentSignal = new CompletableFuture<>();
    private volatile boolean sent;
    private volatile boolean sentSynchronously;
    private final long startNanos;
    private volatile long deadlineNanos;
    /** No deadline: no timer, and none on the wire. */
    private volatile boolean unbounded;
    /** The thread inside the call that started this invocation, while it is inside. */
    private volatile Thread starter;
    /** The attempt whose request frame reached the socket, if any: {@link #isWritten}. */
    private volatile int writtenAttempt = -1;
    volatile RpcConnection connection;
    volatile int requestId;
    /** The current attempt hands its arguments over by reference, in process ({@link ByReference}). */
    volatile boolean byReference;
    /** The result the serving end handed back by reference, for the current attempt. */
    volatile Object handedResult;
    /**
     * Where the request goes on the wire, if not to {@link #service}: a pipelined call's target,
     * {@code ^k} or the object {@code @n} its source call resolved to ({@link Pipeline}).
     */
    volatile String target;
    /** Its place among the two-way requests handed to its connection, from 1; 0 until handed over. */
    volatile long sequence;
    /** Receives progress reports; set for asynchronous invocations only. */
    volatile AsyncResultImpl<?> result;
    /** The streams the call sends and receives (PROTOCOL.md section 26); null if it has none. */
    final CallStreams streams;
    private volatile Timer wheel;
    /** What the client interceptors see of this call; null if there are none. */
    private volatile Interception interception;
    /** Hermod's own call (a reference release): never intercepted. */
    private boolean control;
    /** Waited for by {@link #sync}, which reports its outcome to the interceptors. */
    private boolean awaitedSync;
    /** When the outcome was decided, in {@link System#nanoTime()} terms; 0 until then. */
    private volatile long endNanos;
    private volatile Timeout timer;

    private Call(Operation operation, String service, Object[] args, CallOptions options, Duration timeout,
            boolean oneway, boolean flush) {
        this.oneway = oneway;
        this.flush = flush;
        this.operation = operation;
        this.service = service;
        this.streams = operation.streaming() == null || flush ? null : CallStreams.take(operation, args);
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
     * Makes a synchronous call: starts it and waits for its outcome in the calling thread,
     * returning or throwing what the method would. The caller's path to the socket and back:
     * here, {@link RpcConnection#send}, the transport's backlog, the link; the reply returns
     * through the link and {@link RpcConnection} to {@link #complete} and wakes this thread.
     *
     * @throws IllegalStateException if the calling thread is a Hermod I/O thread, which must never
     *     block, or if the invoker takes no more calls
     */
    static Object sync(Invoker invoker, Operation op, String service, Object[] args, CallOptions options,
            boolean oneway) throws Throwable {
        if (Transport.onIoThread()) {
            throw new IllegalStateException("a synchronous call to " + op.displayName()
                    + " would block a Hermod I/O thread; call it from another thread");
        }
        Call call = create(op, service, args, options, options.timeout().orElse(invoker.peer().callTimeout()),
                oneway);
        call.awaitedSync = true;
        call.start(invoker);
        try {
            return call.await();
        } finally {
            call.intercepted();
        }
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
        // streams did: the clock read at creation is still "now", within a microsecond.
        long now = interception == null && streams == null ? startNanos : System.nanoTime();
        Retries retries = invoker.retries();
        if (retries != null) {
            retries.started(now);
        }
        schedule(invoker.peer().timer(), now);
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
        long cost = RpcConnection.QUEUED_CALL_COST + RpcConnection.sizeHint(args);
        if (!peer.reserveWaiting(cost, result != null)) {
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
        Call call = new Call(operation, service, args, options, timeout, oneway, false);
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
        Call call = new Call(operation, service, args, CallOptions.defaults(), timeout, true, false);
        call.control = true;
        return call;
    }

    /**
     * Shows the call to the client interceptors, if there are any, before it is sent; returns true
     * if one of them decided it, so that it must not be sent. Their {@code onComplete} runs when
     * the outcome is known: in {@link #sync}, when the {@link AsyncResultImpl} settles, or else
     * here, off the I/O threads.
     */
    boolean intercept(Peer peer, boolean onReference, dev.hermod.intercept.ClientCall.Kind kind) {
        java.util.List<dev.hermod.intercept.ClientInterceptor> chain = peer.clientInterceptors();
        if (chain.isEmpty() || flush || control || streams != null || interception != null) {
            return false;
        }
        Interception i = new Interception(this, chain, kind, onReference);
        interception = i;
        boolean reportedElsewhere = awaitedSync || result != null;
        outcome.whenComplete((v, e) -> {
            endNanos = System.nanoTime();
            if (reportedElsewhere) {
                return;
            }
            if (!Transport.onIoThread()) {
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
        Interception i = interception;
        if (i != null && outcome.isDone()) {
            i.finish();
        }
    }

    /** Time from the start to {@code nanos}, in {@link System#nanoTime()} terms. */
    long elapsedNanosAt(long nanos) {
        return nanos - startNanos;
    }

    /** Time from the start to the outcome (or to now, if the outcome is being decided). */
    long elapsedNanos() {
        long end = endNanos;
        return (end != 0 ? end : System.nanoTime()) - startNanos;
    }

    /** Whether the call has a deadline. */
    boolean hasDeadline() {
        return !unbounded;
    }

    /** Completes the call as an interceptor decided, without sending it. */
    void shortCircuit(Object value, Throwable failure) {
        if (failure != null ? outcome.completeExceptionally(failure) : outcome.complete(value)) {
            withdraw();
            settled();
        }
    }

    /**
     * Creates the call that stands for a batch flush: it is sent when the batch is handed to the
     * transport and completes when the batch is written. It cannot be canceled and has no timer:
     * {@code timeout} only bounds how long its result's waits last.
     */
    static Call flush(String service, Duration timeout) {
        return new Call(FLUSH, service, new Object[0], CallOptions.defaults(), timeout, true, true);
    }

    /** The operation and service, for messages: {@code getName on service 'employees'}. */
    String describe() {
        return flush && service.isEmpty() ? operation.name() : describe(operation, service);
    }

    /** {@code getName on service 'employees'}, or {@code onEvent on object @3 (Listener)}. */
    static String describe(Operation operation, String service) {
        return operation.describeOn(service);
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

    /** Marks the start and end of the call that starts this invocation in the calling thread. */
    public void starting(boolean inside) {
        starter = inside ? Thread.currentThread() : null;
    }

    /** Arms the deadline timer, unless the call has no deadline. */
    public void schedule(Timer wheel) {
        schedule(wheel, System.nanoTime());
    }

    /** As {@link #schedule(Timer)}, {@code now} being the time, in {@link System#nanoTime()} terms. */
    private void schedule(Timer wheel, long now) {
        this.wheel = wheel;
        if (!unbounded) {
            arm(deadlineNanos - now);
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
        long now = starter == Thread.currentThread() && interception == null && streams == null ? startNanos
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
        Timeout t = wheel.newTimeout(this, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        Timeout old = timer;
        timer = t;
        if (old != null) {
            old.cancel();
        }
        if (outcome.isDone()) {
            t.cancel();
        }
    }

    /** Moves the deadline earlier; a later one, or no deadline, is ignored. */
    void expireAfter(Duration timeout) {
        long nanos = timeoutNanos(timeout);
        long candidate = System.nanoTime() + nanos;
        if (nanos < NO_DEADLINE_NANOS && candidate - deadlineNanos < 0 && !outcome.isDone()) {
            deadlineNanos = candidate;
            unbounded = false;
            if (wheel != null && !flush) {
                arm(candidate - System.nanoTime());
            }
        }
    }

    /** The internal outcome: completed on the thread that decides it. */
    CompletableFuture<Object> outcome() {
        return outcome;
    }

    public boolean isDone() {
        return outcome.isDone();
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
        sentSynchronously = Thread.currentThread() == starter;
        sent = true;
        if (streams != null) {
            streams.sent();
        }
        sentSignal.complete(Boolean.TRUE);
    }

    boolean isSent() {
        return sent;
    }

    boolean sentSynchronously() {
        return sentSynchronously;
    }

    /** Whether the call expects no reply. */
    public boolean isOneway() {
        return oneway;
    }

    /**
     * Claims the request for the transport, just before it is handed over: false if it was
     * withdrawn first, and must then be dropped unsent. From here on the server may see it.
     */
    boolean handOver() {
        return handOver(attempt());
    }

    /** As {@link #handOver()}, for the frame of attempt {@code attempt} only. */
    boolean handOver(int attempt) {
        int base = attempt << ATTEMPT_SHIFT;
        return HANDOVER.compareAndSet(this, base | UNSENT, base | HANDED_OVER);
    }

    /** The number of the current attempt, for {@link #handOver(int)}. */
    int attempt() {
        return handover >>> ATTEMPT_SHIFT;
    }

    /**
     * Whether the request's bytes reached the socket, so that the server may have run the
     * operation. Told by the write's listener as the write completes, which is before the link
     * reports its close.
     */
    boolean isWritten() {
        return writtenAttempt == attempt();
    }

    /**
     * The request frame of {@code attempt} reached the socket. Told as the write completes, on
     * the I/O thread, before the link reports its close.
     */
    void written(int attempt) {
        if (attempt == attempt()) { // a late write of an earlier attempt says nothing of this one
            writtenAttempt = attempt;
        }
    }

    /**
     * Withdraws the request unless it has been handed to the transport: true if the server can
     * never see it, because no connection will ever hand it over.
     */
    private boolean withdraw() {
        while (true) {
            int h = handover;
            int state = h & STATE_BITS;
            if (state == HANDED_OVER) {
                return false;
            }
            if (state == WITHDRAWN || HANDOVER.compareAndSet(this, h, (h & ~STATE_BITS) | WITHDRAWN)) {
                return !mayHaveRun;
            }
        }
    }

    /**
     * Fails a call that never reached a connection (none could be opened, or the client closed
     * while it waited for one): the server cannot have seen it, whatever the cause says.
     */
    public void failUnsent(Throwable why) {
        fail(why instanceof RpcException r ? Exceptions.unsent(r) : why);
    }

    /** The batch carrying this (oneway, already complete) call was lost: it will never be sent. */
    void neverSent() {
        sentSignal.complete(Boolean.FALSE);
    }

    void complete(Object value) {
        if (outcome.complete(value)) {
            settled();
        }
    }

    /**
     * Fails the call, unless its outcome is already known, or sends it again if the failure
     * allows ({@link Retries}).
     */
    public void fail(Throwable failure) {
        if (outcome.isDone() || retryLater(failure)
                || invoker instanceof Pipeline p && p.deferFailure(this, failure)) {
            return;
        }
        if (mayHaveRun && failure instanceof RpcException r && r.isUnprocessed()) {
            failure = Exceptions.withUnprocessed(r, false); // an earlier attempt may have run
        }
        if (outcome.completeExceptionally(failure)) {
            settled();
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
        if (retries == null || flush || batched || streams != null || !(failure instanceof RpcException r)) {
            return false;
        }
        boolean reached = connection != null; // given to a connection: counts as an attempt
        long delay;
        synchronized (this) {
            delay = retries.delayNanos(this, r, reached, attempts, retried, inv);
            if (delay < 0 || outcome.isDone()) {
                return false;
            }
            retried = true;
            retries.counted();
            if (!r.isUnprocessed()) {
                mayHaveRun = true;
            }
            int next = ((handover >>> ATTEMPT_SHIFT) + 1) << ATTEMPT_SHIFT;
            handover = next | UNSENT; // the old attempt's frame can no longer claim it
            connection = null;
            sequence = 0;
            queued = null;
            requestId = 0;
        }
        Runnable again = () -> {
            if (!outcome.isDone()) {
                attempt(inv);
            }
        };
        if (delay == 0) {
            resend(inv, again); // off the thread that reported the failure
        } else {
            wheel.newTimeout(t -> resend(inv, again), delay, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /** Runs a re-send on the callback executor: it encodes the arguments, which the timer's thread must not. */
    private void resend(Invoker inv, Runnable again) {
        try {
            inv.peer().callbacks().execute(again);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            fail(Failures.connection(describe() + " could not be sent again: the client is closed", e, !mayHaveRun));
        }
    }

    /** Whether the deadline leaves {@code delayNanos} to wait before sending again. */
    boolean hasTimeFor(long delayNanos) {
        return unbounded || deadlineNanos - (System.nanoTime() + delayNanos) > 0;
    }

    private void settled() {
        AsyncResultImpl<?> r = result; // set before the call started, so never missed
        if (r != null) {
            r.outcomeArrived();
        }
        Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
        if ((handover & STATE_BITS) == HANDED_OVER) {
            return; // being sent: markSent follows, even if the reply was quicker
        }
        if (!(batched && oneway && !outcome.isCompletedExceptionally())) {
            sentSignal.complete(Boolean.FALSE); // a call that ended unsent is never sent later
        } // a batched oneway call is complete once queued, and sent when its batch is
    }

    /** The invoker the call was started on; null before it starts. */
    Invoker invoker() {
        return invoker;
    }

    /** The service name the request carries: {@link #service}, or a pipelined call's target. */
    String wireService() {
        String t = target;
        return t != null ? t : service;
    }

    /**
     * Ends the call with {@code failure}, as {@link #cancel} does with its own: a request still
     * waiting to be sent is withdrawn; one already handed over is canceled on the server.
     *
     * @return true if this ended the call
     */
    boolean abandonWith(Throwable failure) {
        if (outcome.isDone() || flush) {
            return false;
        }
        boolean unsent = withdraw();
        if (!outcome.completeExceptionally(failure)) {
            return false;
        }
        settled();
        abandon(unsent);
        return true;
    }

    /** Fails the call with {@code failure} now, as it is: no retry, no deferral. */
    void failNow(Throwable failure) {
        if (outcome.completeExceptionally(failure)) {
            settled();
        }
    }

    /** Called by the timer when the deadline passes. */
    void expire() {
        if (outcome.isDone()) {
            return;
        }
        RpcConnection waitedOn = connection;
        boolean unsent = withdraw();
        String why = unsent && waitedOn != null ? waitedOn.whyUnsent() : ""; // so a blocked caller learns why
        InvocationTimeoutException expired = Failures.timeout(describe() + " timed out after "
                + TimeUnit.NANOSECONDS.toMillis(deadlineNanos - startNanos) + " ms" + why, null, unsent);
        if (outcome.completeExceptionally(expired)) {
            settled();
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
        if (outcome.isDone() || flush) {
            return false;
        }
        boolean unsent = withdraw();
        InvocationCanceledException canceled =
                Failures.canceled(describe() + " canceled" + why, null, unsent);
        if (!outcome.completeExceptionally(canceled)) {
            return false;
        }
        settled();
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
        outcome.whenComplete((v, e) -> action.run());
    }

    /**
     * Waits for the outcome in the calling thread and returns it the way a local method call
     * would: the value, or the declared exception, or a fresh copy of the {@link RpcException}
     * made here so the stack trace shows the caller. Interrupting the waiting thread cancels the
     * call.
     */
    public Object await() throws Throwable {
        Object arrived;
        try {
            spinOn(outcome, deadlineNanos);
            arrived = awaitOutcome(outcome, deadlineNanos);
        } catch (InterruptedException e) { // the wait's own: a declared one comes from resolve
            Thread.currentThread().interrupt();
            cancel(": the waiting thread was interrupted");
            throw Exceptions.forCaller((RpcException) failureOf(outcome));
        }
        try {
            return Reply.resolve(this, arrived);
        } catch (RpcException e) {
            throw e;
        } catch (Throwable declared) {
            // Decoded for this call alone, so it is ours to change: show the caller's stack.
            declared.fillInStackTrace();
            throw declared;
        }
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

    /** Waits for {@code f} up to a second past {@code deadline} (the timer normally ends it first). */
    static <V> V awaitOutcome(CompletableFuture<V> f, long deadline) throws Throwable {
        while (true) {
            try {
                long wait = deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                return f.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // A result's get() throws CancellationException for a canceled call, as Future requires.
                Throwable cause = e.getCause();
                if (cause instanceof RpcException r) {
                    throw Exceptions.forCaller(r);
                }
                if (e instanceof java.util.concurrent.CancellationException) {
                    throw e;
                }
                throw cause; // a declared exception, exactly as the operation threw it
            } catch (TimeoutException e) {
                if (f.isDone()) {
                    continue;
                }
                throw Failures.timeout("no outcome within a second after the deadline", null, false);
            }
        }
    }

    static Throwable failureOf(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            return null;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
        }
    }
}
