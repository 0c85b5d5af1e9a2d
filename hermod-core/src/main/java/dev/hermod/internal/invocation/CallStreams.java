package dev.hermod.internal.invocation;

import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.ProtocolViolation;
import dev.hermod.internal.protocol.StreamFrames;
import dev.hermod.internal.stream.StreamIn;
import dev.hermod.internal.stream.StreamOut;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.Flow;

/**
 * The streams of one outgoing call (PROTOCOL.md section 26): the argument publishers it sends,
 * each in the slot of its parameter, and the result stream it receives, if the operation has one.
 * Credit the result's subscriber grants before the request is handed to the transport waits here:
 * a CREDIT frame never goes out before the REQUEST it names.
 *
 * <p>It also shows the call to the client interceptors ({@link #intercept}), which
 * {@link Call#intercept} leaves to it: their {@code onComplete} must come before the result
 * stream ends, as it comes before a result completes.
 *
 * <p>Thread-safe.
 */
final class CallStreams {
    private final Operation.Streaming streaming;
    /** The application's publishers, by parameter index; null where the parameter is data. */
    private final Flow.Publisher<?>[] publishers;
    private final StreamOut[] outs;
    /** The result stream; null if the operation returns no stream. */
    private volatile StreamIn result;
    private Call call;
    /** The side making the call; set before it starts. */
    private volatile Peer peer;
    /** What the client interceptors see of this call; null if there are none. */
    private volatile Interception interception;
    /** Where the argument streams subscribe when the request is handed over on an I/O thread. */
    private volatile java.util.concurrent.Executor starter;
    /** Credit granted before the request was handed over. Guarded by this. */
    private long pendingCredit;
    /** The request has been handed to the transport. Guarded by this. */
    private boolean sent;

    private CallStreams(Operation.Streaming streaming, Flow.Publisher<?>[] publishers) {
        this.streaming = streaming;
        this.publishers = publishers;
        this.outs = new StreamOut[publishers.length];
    }

    /**
     * Takes the publishers out of {@code args}, which the caller then sends with slot numbers in
     * their place.
     *
     * @throws NullPointerException if a stream argument is null
     */
    static CallStreams take(Operation op, Object[] args) {
        Operation.Streaming s = op.streaming();
        Flow.Publisher<?>[] publishers = new Flow.Publisher<?>[args.length];
        for (int i = 0; i < args.length; i++) {
            if (s.parameter(i)) {
                if (args[i] == null) {
                    throw new NullPointerException("stream argument " + (i + 1) + " of " + op.displayName()
                            + " is null; pass a publisher (one that completes at once for no items)");
                }
                publishers[i] = (Flow.Publisher<?>) args[i];
                args[i] = i + 1;
            }
        }
        return new CallStreams(s, publishers);
    }

    /** Whether the operation streams its result. */
    boolean streamsResult() {
        return streaming.result();
    }

    /** The call these streams belong to; set once, before it starts. */
    void bind(Call call) {
        this.call = call;
        call.outcome().whenComplete((value, failure) -> ended(value, failure));
    }

    /** Makes the result stream the application subscribes to. */
    StreamIn resultStream(Peer peer) {
        this.peer = peer;
        StreamIn in = new StreamIn(call.operation().resultCoder(), peer.callbacks(), this::grant,
                () -> call.cancel(": the subscriber canceled the stream"), "the result stream of " + call.describe());
        result = in;
        return in;
    }

    /**
     * Shows the call to the client interceptors, if there are any, before it starts; returns true
     * if one of them decided it, so that it must not be started. Their {@code onComplete} runs
     * before the result stream ends ({@link #ended}); for a call that only sends streams, where
     * its caller sees the outcome ({@link #intercepted}).
     *
     * @throws IllegalStateException if the invoker takes no more calls
     */
    boolean intercept(Invoker invoker, dev.hermod.intercept.ClientCall.Kind kind) {
        invoker.ensureOpen();
        peer = invoker.peer();
        java.util.List<dev.hermod.intercept.ClientInterceptor> chain = peer.clientInterceptors();
        if (chain.isEmpty()) {
            return false;
        }
        Interception i = new Interception(call, chain, kind, invoker instanceof Reference);
        interception = i;
        return i.start();
    }

    /** Reports the known outcome of a call without a result stream to the client interceptors, once. */
    void intercepted() {
        Interception i = interception;
        if (i != null && call.isDone()) {
            i.finish();
        }
    }

    /**
     * Makes a synchronous call that sends streams, as {@link Waiting#sync} makes others: the
     * interceptors see it here, since {@code Call} leaves calls with streams to their streams.
     */
    static Object sync(Invoker invoker, Operation op, String service, Object[] args, dev.hermod.CallOptions options)
            throws Throwable {
        if (dev.hermod.internal.transport.Transport.onIoThread()) {
            throw new IllegalStateException("a synchronous call to " + op.displayName()
                    + " would block a Hermod I/O thread; call it from another thread");
        }
        Call call = Call.create(op, service, args, options, options.timeout().orElse(invoker.peer().callTimeout()));
        if (!call.streams.intercept(invoker, dev.hermod.intercept.ClientCall.Kind.SYNC)) {
            call.start(invoker);
        }
        try {
            return Waiting.await(call);
        } finally {
            call.streams.intercepted();
        }
    }

    /**
     * The request was registered on {@code connection} as {@code id}: makes the argument streams,
     * which take credit from now on. They subscribe to the application's publishers once the
     * request has been handed to the transport ({@link #sent}): a publisher may end at once, and
     * its END frame must not overtake the REQUEST it names, or the peer drops it.
     */
    void open(RpcConnection connection, int id) {
        Link link = connection.link();
        for (int i = 0; i < publishers.length; i++) {
            if (publishers[i] == null) {
                continue;
            }
            int slot = i + 1;
            String what = "stream argument " + slot + " of " + call.describe();
            outs[i] = new StreamOut(link, id, slot, streaming.parameters()[i], connection.peer().callbacks(),
                    new StreamOut.Ends() {
                        @Override
                        public void completed() {
                            link.send(StreamFrames.end(link.alloc(), id, slot, StreamFrames.END_COMPLETED));
                        }

                        @Override
                        public void failed(Throwable failure) {
                            link.send(StreamFrames.failed(link.alloc(), id, slot, dev.hermod.Status.REMOTE_FAILURE,
                                    what + " failed on the " + "caller's side: " + failure));
                        }
                    }, what);
        }
        starter = connection.peer().callbacks();
    }

    /** Subscribes the argument streams to the application's publishers, off the I/O thread. */
    private void startArguments() {
        boolean any = false;
        for (StreamOut out : outs) {
            any |= out != null;
        }
        if (!any) {
            return;
        }
        Runnable start = () -> {
            for (int i = 0; i < outs.length; i++) {
                if (outs[i] != null) {
                    outs[i].start(publishers[i]);
                }
            }
        };
        if (!dev.hermod.internal.transport.Transport.onIoThread()) {
            start.run();
            return;
        }
        try {
            starter.execute(start);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the client is closed: the call fails, and its argument streams with it
        }
    }

    /**
     * The request was handed to the transport: the argument streams start, and credit for the
     * result may go out now.
     */
    void sent() {
        startArguments();
        long credit;
        synchronized (this) {
            sent = true;
            credit = pendingCredit;
            pendingCredit = 0;
        }
        if (credit > 0) {
            sendCredit(credit);
        }
    }

    private void grant(long n) {
        synchronized (this) {
            if (!sent) {
                pendingCredit += n;
                return;
            }
        }
        sendCredit(n);
    }

    private void sendCredit(long n) {
        RpcConnection c = call.connection;
        if (c != null && c.link().isOpen() && !call.isDone()) {
            c.link().send(StreamFrames.credit(c.link().alloc(), call.requestId, StreamFrames.RESULT_SLOT, n));
        }
    }

    /** An ITEM of the result stream arrived (I/O thread) in {@code body}, which stays the caller's to release. */
    void item(int slot, ByteBuf body) {
        StreamIn in = result;
        if (slot != StreamFrames.RESULT_SLOT || in == null) {
            throw new ProtocolViolation("an ITEM for slot " + slot + " of request " + call.requestId
                    + ", which streams no result there");
        }
        if (!in.item(body)) {
            throw new ProtocolViolation("an ITEM beyond the credit granted for request " + call.requestId);
        }
    }

    /** The peer granted credit for argument stream {@code slot} (I/O thread). */
    void credit(int slot, long n) {
        out(slot).credit(n);
    }

    /** The peer wants no more items of argument stream {@code slot} (I/O thread). */
    void canceled(int slot) {
        out(slot).cancel();
    }

    private StreamOut out(int slot) {
        StreamOut out = slot >= 1 && slot <= outs.length ? outs[slot - 1] : null;
        if (out == null) {
            throw new ProtocolViolation("a stream frame for slot " + slot + " of request " + call.requestId
                    + ", which sends no stream there");
        }
        return out;
    }

    /**
     * The call is over: argument streams stop, and the result stream ends as the call did, after
     * the interceptors have seen the outcome, off the I/O thread.
     */
    private void ended(Object value, Throwable failure) {
        Interception i = interception;
        if (i != null) {
            i.ended();
        }
        for (StreamOut out : outs) {
            if (out != null) {
                out.cancel();
            }
        }
        StreamIn in = result;
        if (in == null) {
            return;
        }
        if (failure != null && i == null) {
            in.fail(Exceptions.unwrap(failure));
            return;
        }
        Runnable end = () -> {
            if (i != null) {
                i.finish();
            }
            if (failure != null) {
                in.fail(Exceptions.unwrap(failure));
                return;
            }
            try {
                Reply.resolve(call, value); // decodes a declared exception, which is thrown
                in.complete();
            } catch (Throwable t) {
                in.fail(t);
            }
        };
        if (failure != null && !dev.hermod.internal.transport.Transport.onIoThread()) {
            end.run();
            return;
        }
        try {
            peer.callbacks().execute(end);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // The executor is shut down: the stream still ends, and the interceptors' end, user
            // code, still runs off the I/O thread.
            dev.hermod.internal.transport.Transport.runRefused(end);
        }
    }
}
