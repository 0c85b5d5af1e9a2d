package dev.hermod.internal.dispatch;

import dev.hermod.Current;
import dev.hermod.Progress;
import dev.hermod.intercept.ServerInterceptor;
import dev.hermod.Status;
import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.codec.DecodeLimits;
import dev.hermod.internal.codec.FrameOutput;
import dev.hermod.internal.codec.LeanCoder;
import dev.hermod.internal.codec.Segmented;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.contract.Service;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.ProtocolViolation;
import dev.hermod.internal.protocol.RequestTable;
import dev.hermod.internal.protocol.Segments;
import dev.hermod.internal.protocol.Wire;
import dev.hermod.internal.transport.Transport;
import io.netty.buffer.ByteBuf;
import java.lang.reflect.InvocationTargetException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

// One file, longer than most: a request served is one state machine (admitted, decoded, running,
// answered, with a cancel and its deadline racing every step, and the one reply it gets sent
// exactly once); each step reads and sets that state, and the servant's view of it (Current)
// reads it too. Reply bytes (Replies), deduplication (Deduplication) and scheduling
// (FairScheduler) are apart because they are per connection or per server.
/**
 * One request on its way through the dispatch executor: it decodes the arguments, runs the
 * servant, and sends the one reply the request gets. The servant's view of it is {@link Current}
 * ({@link #current()} on the serving thread). Calls the servant makes meanwhile share its
 * deadline and its fate ({@link #adopt}). Thread-safe.
 *
 * <p>At about 900 lines this class is past the project's 500, and stays one class on purpose: it is
 * one request's state (replied, canceled, its outcome, the frame it holds, its children), which
 * the servant's thread, the I/O thread, the deadline timer and a write's listener all change, and
 * its steps read and set the same private fields; split up, those fields would be open to other
 * classes. The steps that need none of them live elsewhere: the connection's admission and reading
 * ({@link Inbound}), the room replies take ({@link Replies}), pipelined requests
 * ({@link Pipelines}), the memory of deduplicated calls ({@link Deduplication}).
 */
public final class Invocation extends RequestTable.Entry<Invocation>
        implements Runnable, Current, dev.hermod.internal.protocol.FrameListener {
    private static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();
    /**
     * Runs, when set, in {@link #reply} just before the request stops counting as served, with
     * its connection and id. Tests set it to widen the race with a request pipelined on it
     * ({@link Pipelines}); null otherwise.
     */
    static volatile java.util.function.ObjIntConsumer<Inbound> beforeUnserved;
    private static final java.lang.invoke.VarHandle REPLIED;
    private static final java.lang.invoke.VarHandle PENDING_PROGRESS;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
            REPLIED = lookup.findVarHandle(Invocation.class, "replied", boolean.class);
            PENDING_PROGRESS = lookup.findVarHandle(Invocation.class, "pendingProgress", Progress.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A call a servant makes while it serves an invocation: canceled when the invocation is
     * canceled or answered. Implemented by the invocation layer's calls.
     */
    public interface Child {
        /** Cancels the call, giving the reason; returns false if it was already over. */
        boolean cancel(String why);

        /** Runs {@code action} once the call is over, however it ended. */
        void whenDone(Runnable action);
    }

    private final Inbound connection;
    private final Service service;
    private final Operation op;
    private final Frames.RequestHeader header;
    private final long deadlineNanos;
    /** Set once, by the thread that sends the one reply: {@link #REPLIED}. */
    private volatile boolean replied;
    /** The latest progress report not yet sent: {@link #PENDING_PROGRESS}. */
    private volatile Progress pendingProgress;
    /** The calls this invocation made that are still running; created by the first one. */
    private volatile Set<Child> children;
    private final boolean oneway;
    private volatile boolean canceled;
    private volatile CompletionStage<?> stage;
    private Thread runner;
    /** The request's REQUEST body (for a batch item, a slice of the frame), held through {@link #heldFrame}. */
    private ByteBuf body;
    private HeldFrame heldFrame;
    /**
     * Whether the servant's {@code ByteBuffer} arguments are views of the frame (PROTOCOL.md section
     * 30): it is then released when the servant is done with them ({@link #servantDone}), not
     * once the arguments are decoded.
     */
    private volatile boolean viewsBody;
    /** Whether the payload arrived compressed: it is decompressed when the request runs. */
    private final boolean compressed;
    /** The request's streams (PROTOCOL.md section 26); null if the operation has none. */
    final ServedStreams streams;
    /** What the server interceptors see of this invocation; null if there are none. */
    private volatile Interception interception;
    /** The outcome the reply carries, for the interceptors: a failure's status (null if none)... */
    private volatile Status outcomeStatus;
    /** ... what was thrown, if anything ... */
    private volatile Throwable outcomeThrown;
    /** ... and whether it is a declared exception. */
    private volatile boolean outcomeDeclared;
    /** For the first run of a {@code @Deduplicated} call: where its reply is remembered, and under what. */
    private Deduplication.Entry dedupEntry;
    /** Whether the servant was called: a reply made without it (a refusal) is not remembered. */
    private volatile boolean servantCalled;
    /** The estimated decoded size of the arguments, counted against the limits until the invocation ends. */
    private volatile long decodedBytes;
    /** The capacity of the reply frame sent, counted by the connection's replies until written. */
    private int replyBytes;
    /** The reply frame handed to the link, until it is written ({@link #frame()}); null before and after. */
    private ByteBuf replyFrame;
    /** The in-process caller the arguments came from, by reference, and the result goes to; else null. */
    private volatile Collocation.Caller handedBy;

    Invocation(Inbound connection, Service service, Operation op, Frames.RequestHeader header,
            ByteBuf body, boolean compressed, HeldFrame frame, long receivedNanos, boolean oneway) {
        super(header.requestId()); // filed in the connection's table as its own entry
        this.compressed = compressed;
        this.heldFrame = frame;
        this.oneway = oneway;
        this.connection = connection;
        this.service = service;
        this.op = op;
        this.header = header;
        this.body = body;
        this.streams = op.streaming() == null ? null : new ServedStreams(connection.link, op, header.requestId(),
                dispatcher().executor, op.describeOn(service.name()), new ServedStreams.Reply() {
                    @Override
                    public void completed() {
                        replyResult(null);
                    }

                    @Override
                    public void failed(Throwable failure) {
                        replyThrown(failure);
                    }
                });
        this.deadlineNanos = header.timeoutMillis() == 0
                ? Long.MAX_VALUE
                : receivedNanos + TimeUnit.MILLISECONDS.toNanos(header.timeoutMillis());
    }

    /** The invocation the calling thread is dispatching, or null. */
    public static Invocation current() {
        return CURRENT.get();
    }

    @Override
    public void run() {
        boolean interruptible = !Transport.onIoThread(); // a cancel never interrupts I/O
        if (interruptible) {
            synchronized (this) {
                runner = Thread.currentThread();
            }
        }
        Invocation outer = CURRENT.get(); // restored after, should invocations ever nest on a thread
        CURRENT.set(this);
        if (dispatcher().polled) {
            ManualExecutor.served();
        }
        try {
            List<ServerInterceptor> chain = dispatcher().serverInterceptors();
            if (chain.isEmpty()) {
                dispatch();
            } else {
                interceptedDispatch(chain);
            }
        } catch (Throwable t) {
            Dispatch.log.error("failed to answer {}", describe(), t);
            outcome(Status.UNKNOWN, t, false);
            reply(Frames.failure(connection.link.alloc(), header.requestId(), Status.UNKNOWN, false,
                    "internal error while answering " + describe(), null, false));
        } finally {
            CURRENT.set(outer); // not remove(): that would cost a new map entry on every call
            if (interruptible) {
                synchronized (this) {
                    runner = null;
                }
            }
            Thread.interrupted(); // a late cancel must not leak into the executor's next task
            if (stage == null && streams == null) {
                servantDone();
            } // else when the stage completes, or the reply is written
        }
    }

    /** Dispatches between the interceptors' start and their servant exit, or as one of them decided. */
    private void interceptedDispatch(List<ServerInterceptor> chain) {
        Interception i = new Interception(this, chain);
        interception = i;
        try {
            if (!i.start()) {
                dispatch();
            } else if (i.decidedFailure() instanceof dev.hermod.RpcException r) {
                reply(failureFrame(r.status(), false, r.getMessage()));
            } else if (i.decidedFailure() instanceof Interception.Refusal r) {
                reply(failureFrame(r.status, false, r.getMessage()));
            } else if (i.decidedFailure() != null) {
                replyThrown(i.decidedFailure());
            } else {
                replyResult(i.decidedValue());
            }
        } finally {
            i.exit();
        }
    }

    private void outcome(Status status, Throwable thrown, boolean declared) {
        outcomeStatus = status;
        outcomeThrown = thrown;
        outcomeDeclared = declared;
    }

    /** Reports the reply's outcome to the interceptors, never on an I/O thread unless dispatch runs there. */
    private void intercepted() {
        Interception i = interception; // called once: after the one reply is claimed
        if (i == null) {
            return;
        }
        Status status = outcomeStatus;
        Throwable thrown = outcomeThrown;
        boolean declared = outcomeDeclared;
        if (!Transport.onIoThread()) {
            i.finish(status, thrown, declared);
            return;
        }
        try {
            dispatcher().executor.execute(() -> i.finish(status, thrown, declared));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            i.finish(status, thrown, declared);
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
        if (dispatcher().access.hasPolicies()
                && !dispatcher().access.permits(connection.link.principal(), header.service(), header.operation())) {
            releaseBody();
            reply(failureFrame(Status.PERMISSION_DENIED, true, "permission denied: " + describe()
                    + " is not allowed for " + connection.link.principal().getName()));
            return;
        }
        Object[] args = header.byReference() ? handedArguments() : decodeArguments();
        if (args == null) {
            return; // answered
        }
        Object result;
        servantCalled = true;
        try {
            result = service.method(op).invoke(service.servant(), args);
        } catch (InvocationTargetException e) {
            replyThrown(e.getCause());
            return;
        } catch (IllegalAccessException | IllegalArgumentException e) {
            replyThrown(e);
            return;
        }
        if (streams != null && streams.streamsResult()) {
            streams.publish(result); // the reply comes when the stream ends
        } else if (service.answersLater(op)) {
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
                servantDone();
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

    /**
     * The arguments the caller handed over in process ({@link Collocation}), or null once a
     * failure is answered: the caller's call ended meanwhile, or this side does not pass by
     * reference (a peer sent the flag uninvited).
     */
    private Object[] handedArguments() {
        releaseBody(); // its payload is empty
        Collocation.Caller caller = dispatcher().passesByReference() ? Collocation.caller(connection.link) : null;
        Object[] args = caller == null ? null : caller.arguments(header.requestId());
        if (args == null) {
            reply(failureFrame(Status.MARSHAL, true, "cannot run " + describe() + ": its arguments were to be"
                    + " handed over in process, and " + (caller == null ? "this side does not pass by reference"
                    : "the call has ended")));
            return null;
        }
        handedBy = caller;
        return readOnlyBuffers(args);
    }

    /**
     * The arguments with each {@code ByteBuffer} replaced by a read-only view of it, as a servant
     * would get them from the wire: the servant moves neither the caller's buffer nor writes it.
     */
    private static Object[] readOnlyBuffers(Object[] args) {
        Object[] copy = args;
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof java.nio.ByteBuffer b) {
                if (copy == args) {
                    copy = args.clone(); // the caller's array: a retry sends it again
                }
                copy[i] = b.slice().asReadOnlyBuffer();
            }
        }
        return copy;
    }

    /**
     * The servant is done with its arguments (it returned, or its stage completed): a frame its
     * buffers viewed is released now, unless the result may carry one of them as a segment, which
     * keeps it until the reply is written ({@link #end}).
     */
    private void servantDone() {
        if (!viewsBody || !(op.resultCoder() instanceof Segmented s && s.carriesBuffers())) {
            releaseBody();
        }
    }

    /** Decodes the arguments, or returns null once a failure is answered. */
    private Object[] decodeArguments() {
        Object[] args;
        ByteBuf plain = null;
        if (compressed) {
            try {
                plain = connection.link.decompress(body.duplicate());
            } catch (ProtocolViolation e) {
                releaseBody();
                connection.link.protocolError(e);
                reply(failureFrame(Status.PROTOCOL_ERROR, true, "cannot decompress the arguments of " + describe()
                        + ": " + e.getMessage()));
                return null;
            }
        }
        ByteBuf source = plain != null ? plain : body;
        boolean segments = header.segmented() && plain == null && op.argumentCoder() instanceof Segmented;
        // A heap frame without segments is decoded in place, with no ByteBuffer made around it.
        LeanCoder inPlace = !segments && source.hasArray() && op.argumentCoder() instanceof LeanCoder a ? a : null;
        int offset = inPlace == null ? 0 : source.arrayOffset() + source.readerIndex();
        java.nio.ByteBuffer payload = inPlace == null ? Frames.payload(source) : null;
        Segments.Split split = null;
        if (segments) {
            try {
                split = Segments.split(payload);
            } catch (java.io.IOException e) {
                releaseBody();
                reply(failureFrame(Status.MARSHAL, true, "cannot decode the arguments of " + describe() + ": "
                        + e.getMessage()));
                return null;
            }
            payload = split.payload();
        }
        try {
            long estimate = inPlace != null ? inPlace.decodedSize(source.array(), offset, source.readableBytes())
                    : op.argumentCoder() instanceof DecodeLimits.Sized sized
                    ? sized.decodedSize(payload) : payload.remaining();
            if (plain != null) {
                estimate += plain.capacity(); // held until decoded, like the frame
            }
            // Its own frame is not "others": counted whole (length prefix, header and payload; for
            // a batch item, the whole batch), a request alone is never refused.
            if (estimate > Limits.SMALL && !connection.charge(estimate, heldFrame != null ? heldFrame.bytes : 0)) {
                releaseBody();
                reply(failureFrame(Status.RESOURCE_EXHAUSTED, true, "cannot run " + describe() + " now: its"
                        + " arguments would decode to an estimated " + estimate + " bytes, past what the "
                        + dispatcher().side
                        + " lets requests hold (" + dispatcher().limits.maxRequestBytesPerConnection() + " bytes per"
                        + " connection, " + dispatcher().limits.maxRequestBytes() + " in all); try again later"));
                release(plain);
                return null;
            }
            // A small request is counted by its frame alone (and its slot in dispatch): counting
            // its decoded size too would cost more than it is worth.
            decodedBytes = estimate > Limits.SMALL ? estimate : 0;
        } catch (DecodeLimits.Exceeded e) {
            releaseBody();
            release(plain);
            reply(failureFrame(Status.RESOURCE_EXHAUSTED, true, "cannot decode the arguments of " + describe()
                    + ": " + e.getMessage()));
            return null;
        }
        boolean views = false;
        try {
            args = inPlace != null ? inPlace.decodeSized(source.array(), offset, source.readableBytes())
                    : split != null ? ((Segmented) op.argumentCoder()).decode(payload, split.segments())
                    : op.argumentCoder() instanceof DecodeLimits.Sized sized
                    ? sized.decodeSized(payload) : op.argumentCoder().decode(payload);
            connection.objects.argumentsFromWire(op, args);
            if (streams != null) {
                streams.substitute(args);
            }
            views = split != null; // the servant's buffers are the frame's memory
        } catch (dev.hermod.ObjectNotFoundException e) {
            reply(failureFrame(Status.OBJECT_NOT_FOUND, true, "cannot run " + describe() + ": "
                    + e.getMessage()));
            return null;
        } catch (dev.hermod.MarshalException e) {
            reply(failureFrame(Status.MARSHAL, true, "cannot decode the arguments of " + describe() + ": "
                    + e.getMessage()));
            return null;
        } catch (Exception e) {
            reply(failureFrame(Status.MARSHAL, true, "cannot decode the arguments of " + describe()
                    + " as " + signature() + ": " + op.argumentFailure(e)));
            return null;
        } finally {
            if (views) {
                viewsBody = true;
            } else {
                releaseBody();
            }
            release(plain);
        }
        return args;
    }

    private void replyResult(Object result) {
        if (replied) {
            return;
        }
        if (oneway) { // nobody waits for the result: nothing to encode
            if (REPLIED.compareAndSet(this, false, true)) {
                connection.invocations.remove(header.requestId(), this);
                intercepted();
                end();
            }
            return;
        }
        if (connection.isClosed() && dedupEntry == null) { // nobody is left to read it: nothing to encode
            if (REPLIED.compareAndSet(this, false, true)) {
                connection.invocations.remove(header.requestId(), this);
                intercepted();
                end();
            }
            return;
        }
        long reserved = connection.replies.reserve();
        if (reserved < 0) { // the peer's replies back up: encode this one when they have room
            connection.replies.defer(() -> replyResult(result));
            return;
        }
        replyResult(result, reserved);
    }

    /** Encodes and sends the result, in the room {@code reserved} for it. */
    private void replyResult(Object result, long reserved) {
        // A request that came by reference is answered so, even when an interceptor decided it.
        Collocation.Caller caller = !header.byReference() ? null
                : handedBy != null ? handedBy : Collocation.caller(connection.link);
        if (caller != null) { // in process: the result is handed back, the frame says it is there
            caller.result(header.requestId(),
                    result instanceof java.nio.ByteBuffer b ? b.slice().asReadOnlyBuffer() : result);
            ByteBuf frame = Frames.beginResult(connection.link.alloc(), header.requestId(), 0);
            Frames.end(frame);
            reply(frame, reserved);
            return;
        }
        boolean compress = header.compressReply() || connection.link.compressByDefault();
        // A buffer result travels as a raw segment (section 30), unless compressed or remembered
        // (a remembered reply may be replayed on a connection whose peer reads no segments).
        boolean segmented = dedupEntry == null && connection.link.peerReadsSegments()
                && !(compress && connection.link.peerReadsCompressed())
                && op.resultCoder() instanceof Segmented s && s.carriesBuffers();
        if (compress || segmented) {
            replyResult(result, reserved, connection.link.alloc().buffer(80), compress, segmented);
            return;
        }
        // A plain reply made on the I/O thread goes into the buffer the link lends: copied as it
        // is sent, given back once this returns (elsewhere, a buffer of its own, sized for it).
        ByteBuf buffer = connection.link.lendFrameBuffer(Math.max(80, 16 + FrameOutput.sizeHint(result)));
        try {
            replyResult(result, reserved, buffer, false, false);
        } finally {
            connection.link.giveBack(buffer);
        }
    }

    /** As {@link #replyResult(Object, long)}, the frame made in {@code buffer}, which it owns. */
    private void replyResult(Object result, long reserved, ByteBuf buffer, boolean compress, boolean segmented) {
        ByteBuf frame = Frames.beginResult(buffer, header.requestId());
        int payloadStart = frame.writerIndex();
        String object = null; // what requests pipelined on this one run on
        try {
            Object value = op.resultReference() == null ? result
                    : connection.objects.toWire(op.resultReference(), result);
            if (segmented) {
                frame.setByte(Wire.LENGTH_PREFIX + 1, Wire.FLAG_SEGMENTS);
                frame = Segments.write(frame, (out, segments) ->
                        ((Segmented) op.resultCoder()).encode(new Object[] {value}, out, segments));
            } else {
                FrameOutput.encodeOne(op.resultCoder(), value, frame);
            }
            if (op.resultReference() != null && value instanceof Long n && n > 0) { // a long result is no object
                object = "@" + n;
            }
        } catch (Exception | StackOverflowError e) {
            frame.release();
            reply(failureFrame(Status.MARSHAL, false, "cannot encode the result of " + describe() + ": "
                    + e.getMessage()), reserved);
            return;
        }
        Frames.end(frame);
        // Uncompressed within the limit first (reply() checks): the peer's limit bounds what the
        // payload inflates to. The caller may ask for a compressed result.
        if (dedupEntry == null // a remembered reply may be replayed on a connection without compression
                && !segmented && Frames.frameLength(frame) <= connection.link.sendLimit()
                && connection.link.compress(frame, payloadStart, compress)) {
            Frames.end(frame);
        }
        reply(frame, reserved, object);
    }

    private void replyThrown(Throwable thrown) {
        if (replied) {
            return;
        }
        if (canceled) {
            reply(failureFrame(Status.CANCELED, false, describe() + " was canceled"));
            return;
        }
        Class<? extends Throwable> declared = op.declaredTypeOf(thrown);
        outcome(declared != null ? null : Status.REMOTE_FAILURE, thrown, declared != null);
        if (declared != null) {
            ValueCoder coder = op.exceptionCoder(declared.getName());
            ByteBuf frame = Frames.beginException(connection.link.alloc(), header.requestId(), declared.getName());
            try {
                FrameOutput.encodeOne(coder, thrown, frame);
                reply(Frames.end(frame));
                return;
            } catch (Exception e) {
                frame.release();
                connection.log.warn("unencodable exception", "cannot encode declared exception {} of {}; sending it"
                        + " as a remote failure", declared.getName(), describe(), e);
            }
        }
        if (oneway) {
            connection.log.warn("oneway failed", "oneway {} failed; no caller waits for the exception", describe(),
                    thrown);
        } else if (dispatcher().sendStackTraces) {
            Dispatch.log.debug("{} failed with an undeclared exception", describe(), thrown);
        } else {
            connection.log.warn("undeclared exception", "{} failed with an undeclared exception", describe(), thrown);
        }
        reply(Frames.failure(connection.link.alloc(), header.requestId(), Status.REMOTE_FAILURE, false,
                describe() + " failed on the " + dispatcher().side + ": " + thrown, thrown,
                dispatcher().sendStackTraces));
    }

    private ByteBuf failureFrame(Status status, boolean unprocessed, String message) {
        outcome(status, null, false);
        if (oneway) {
            // Nobody receives this failure: the log is the only place it can be seen. Late and
            // canceled requests are routine (section 5.1 of the protocol): debug level.
            if (status == Status.TIMEOUT || status == Status.CANCELED) {
                connection.log.debug("oneway request dropped: {} ({})", message, status.toString());
            } else {
                connection.log.warn("oneway " + status, "oneway request dropped: {} ({})", message, status.toString());
            }
        }
        return Frames.failure(connection.link.alloc(), header.requestId(), status, unprocessed, message,
                null, false);
    }

    /** The executor refused the request: answer that the server is overloaded. */
    void rejected() {
        releaseBody();
        reply(failureFrame(Status.RESOURCE_EXHAUSTED, true, "the server is overloaded; " + describe()
                + " was not run"));
    }

    /**
     * Sends the one reply this request gets, and ends the invocation once the reply is written
     * (a oneway one at once): until then it counts against the connection's limits.
     */
    void reply(ByteBuf frame) {
        reply(frame, 0);
    }

    /** As {@link #reply(ByteBuf)}, in the room {@code reserved} for it ({@link Replies#reserve()}). */
    private void reply(ByteBuf frame, long reserved) {
        reply(frame, reserved, null);
    }

    /**
     * As {@link #reply(ByteBuf, long)}, for a result that is the object {@code resultObject} names
     * (null for none): what requests pipelined on this one run on.
     */
    private void reply(ByteBuf frame, long reserved, String resultObject) {
        if (!REPLIED.compareAndSet(this, false, true)) {
            frame.release();
            connection.replies.release(reserved);
            return;
        }
        if (dedupEntry != null) { // remembered for the same call sent again, and handed to any waiting
            dedupEntry.owner.ended(dedupEntry, io.netty.buffer.ByteBufUtil.getBytes(frame), servantCalled);
        }
        if (oneway) {
            frame.release(); // nobody waits for an answer
            connection.invocations.remove(header.requestId(), this);
            intercepted();
            end();
            return;
        }
        Progress last = (Progress) PENDING_PROGRESS.getAndSet(this, null);
        if (last != null) { // a report made before the reply goes out before it
            connection.link.send(Frames.progress(connection.link.alloc(), header.requestId(),
                    last.fraction(), last.message()));
        }
        int length = Frames.frameLength(frame);
        String object = canceled ? null : resultObject; // a canceled call cancels what was pipelined on it
        if (length > connection.link.sendLimit()) {
            frame.release();
            frame = failureFrame(Status.MARSHAL, false, "the reply to " + describe() + " is " + length
                    + " bytes, above " + connection.link.describeSendLimit());
            object = null;
        }
        boolean reference = op.resultReference() != null;
        if (reference) { // before it stops counting as served: a request pipelined later finds it remembered
            dispatcher().resume(connection, connection.pipelines.settle(header.requestId(), object,
                    canceled ? "was canceled (" + describe() + ")"
                            : "is no object this side exports (" + describe() + " failed, or returned null or the"
                                    + " caller's own object)", true));
        }
        java.util.function.ObjIntConsumer<Inbound> hook = beforeUnserved;
        if (hook != null) {
            hook.accept(connection, header.requestId());
        }
        connection.invocations.remove(header.requestId(), this);
        if (!reference && connection.pipelines.anyWaiting()) {
            // After it stops counting as served, not before: a request pipelined on it parks only
            // if it saw it served, and says it waits before it looks (Pipelines#arrived), so it is
            // seen here; looked at before, one parking meanwhile was never settled.
            dispatcher().resume(connection, connection.pipelines.settle(header.requestId(), object,
                    "is not an object reference (" + describe() + ")", false));
        }
        intercepted();
        cancelChildren(": the invocation that made it has completed");
        if (streams != null) {
            streams.end(dev.hermod.internal.bridge.Failures.canceled(describe() + " has been answered", null, false));
        }
        replyBytes = frame.capacity(); // before the send, whose write may end before it returns
        replyFrame = frame;
        connection.replies.send(frame, reserved, (io.netty.channel.ChannelFutureListener) this);
    }

    /** The reply frame handed to the link, while it waits to be written. */
    @Override
    public ByteBuf frame() {
        return replyFrame;
    }

    /**
     * Whether the worker that made the reply may write it to the socket itself, the I/O thread
     * left asleep: when this is the connection's only request in dispatch, as a client's
     * synchronous call alone on its connection writes its request. Under a load of many requests
     * at once, the I/O thread writes the replies, several per system call.
     */
    @Override
    public boolean writeNow() {
        return connection.inFlight() <= 1;
    }

    /**
     * The reply's write ended, on the I/O thread or on the worker that wrote it itself
     * ({@link #writeNow}): its bytes are free, and the invocation {@linkplain #end ends}.
     */
    @Override
    public void operationComplete(io.netty.channel.ChannelFuture write) {
        replyFrame = null;
        connection.replies.written(replyBytes);
        end();
        connection.replyWritten();
    }

    /** Leaves dispatch: what the invocation held is given back, and its slot is free. */
    private void end() {
        releaseBody();
        connection.unhold(decodedBytes);
        decodedBytes = 0;
        dispatcher().finished(connection);
    }

    private static void release(ByteBuf buffer) {
        if (buffer != null) {
            buffer.release();
        }
    }

    /** Gives up the request's frame: its arguments are decoded, or will not be. */
    synchronized void releaseBody() {
        if (heldFrame != null) {
            heldFrame.release();
            heldFrame = null;
            body = null;
        }
    }

    /**
     * This invocation is the first run of a {@code @Deduplicated} call: its reply is remembered
     * under {@code entry}, and the loss of its connection does not cancel it.
     */
    void deduplicated(Deduplication.Entry entry) {
        this.dedupEntry = entry;
    }

    /** Whether this is the first run of a deduplicated call: it runs to its end even if its connection is lost. */
    boolean isDeduplicated() {
        return dedupEntry != null;
    }

    /** Answers this request, a deduplicated call sent again, with {@code reply}: the whole REPLY frame of its first run. */
    void replay(byte[] reply) {
        releaseBody();
        ByteBuf frame = connection.link.alloc().buffer(reply.length).writeBytes(reply);
        frame.setInt(Wire.REPLY_ID_OFFSET, header.requestId());
        reply(frame);
    }

    /** The dispatch this request is served by: its connection's. */
    private Dispatch dispatcher() {
        return connection.dispatch;
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
        if (streams != null && streams.cancel(describe() + " was canceled")) {
            replyThrown(dev.hermod.internal.bridge.Failures.canceled(describe() + " was canceled", null, false));
        }
    }

    private void cancelStage(CompletionStage<?> s) {
        if (s instanceof CompletableFuture<?> f) {
            f.cancel(true);
        }
    }

    private void cancelChildren(String why) {
        Set<Child> set = children;
        if (set != null) {
            for (Child child : set) {
                child.cancel(why);
            }
        }
    }

    /** A call this invocation makes: it shares the invocation's fate. */
    public void adopt(Child child) {
        Set<Child> set = children;
        if (set == null) {
            synchronized (this) {
                set = children;
                if (set == null) {
                    set = ConcurrentHashMap.newKeySet();
                    children = set;
                }
            }
        }
        Set<Child> adopted = set;
        adopted.add(child);
        child.whenDone(() -> adopted.remove(child));
        if (canceled || replied) {
            child.cancel(": the invocation that made it has ended");
        }
    }

    /** Nanoseconds left before the caller's deadline, or {@link Long#MAX_VALUE} for none. */
    public long remainingNanos() {
        return deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
    }

    private String describe() {
        return op.describeOn(service.name());
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
        return connection.link.remoteAddress();
    }

    @Override
    public Optional<java.security.Principal> principal() {
        return Optional.ofNullable(connection.link.principal());
    }

    @Override
    public Map<String, String> context() {
        Interception i = interception;
        return i == null ? header.context() : i.servedContext(header.context());
    }

    /** The {@code @Remote} interface of the invoked operation. */
    Class<?> contractType() {
        return service.contract().remoteType();
    }

    boolean isOneway() {
        return oneway;
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
        if (oneway || replied || (Progress) PENDING_PROGRESS.getAndSet(this, p) != null) {
            return; // a send is already scheduled: it will carry the newest report
        }
        connection.link.sendLater(() -> {
            // Exactly one of this frame's maker and reply() takes each pending report. The maker
            // has its place among the link's frames from now on, and a reply handed over
            // meanwhile goes after it, so a report taken here is written before the reply. It
            // must be sent even if reply() has begun: that reply found nothing pending because of it.
            Progress latest = (Progress) PENDING_PROGRESS.getAndSet(this, null);
            return latest == null ? null : Frames.progress(connection.link.alloc(), header.requestId(),
                    latest.fraction(), latest.message());
        });
    }

    @Override
    public String toString() {
        return "Current[" + describe() + " from " + peer() + "]";
    }
}
