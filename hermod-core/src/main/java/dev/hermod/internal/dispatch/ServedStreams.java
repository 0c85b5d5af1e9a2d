package dev.hermod.internal.dispatch;

import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.ProtocolViolation;
import dev.hermod.internal.protocol.StreamFrames;
import dev.hermod.internal.protocol.Wire;
import dev.hermod.internal.stream.StreamIn;
import dev.hermod.internal.stream.StreamOut;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * The streams of one request being served (PROTOCOL.md section 26): the argument streams the
 * servant receives as publishers, made when the request arrives so that an argument stream that
 * ends at once finds them, and the result stream the servant's publisher feeds, which ends with
 * the request's one REPLY. Thread-safe.
 */
final class ServedStreams {
    /** What the invocation does when the result stream ends. */
    interface Reply {
        /** The servant's publisher completed: reply with outcome 0. */
        void completed();

        /** It failed: reply as if the operation had thrown {@code failure}. */
        void failed(Throwable failure);
    }

    private final Link link;
    private final int requestId;
    private final String describe;
    private final Reply reply;
    private final StreamOut result;
    /** By parameter index; null where the parameter is data. */
    private final StreamIn[] arguments;
    private volatile boolean publishing;

    ServedStreams(Link link, Operation op, int requestId, Executor executor, String describe, Reply reply) {
        this.link = link;
        this.requestId = requestId;
        this.describe = describe;
        this.reply = reply;
        Operation.Streaming s = op.streaming();
        this.result = !s.result() ? null : new StreamOut(link, requestId, StreamFrames.RESULT_SLOT, op.resultCoder(),
                executor, new StreamOut.Ends() {
                    @Override
                    public void completed() {
                        reply.completed();
                    }

                    @Override
                    public void failed(Throwable failure) {
                        reply.failed(failure);
                    }
                }, "the result stream of " + describe);
        this.arguments = new StreamIn[s.parameters().length];
        for (int i = 0; i < arguments.length; i++) {
            if (s.parameter(i)) {
                int slot = i + 1;
                arguments[i] = new StreamIn(s.parameters()[i], executor,
                        n -> send(StreamFrames.credit(link.alloc(), requestId, slot, n)),
                        () -> send(StreamFrames.end(link.alloc(), requestId, slot, StreamFrames.END_CANCELED)),
                        "stream argument " + slot + " of " + describe);
            }
        }
    }

    private void send(ByteBuf frame) {
        if (link.isOpen()) {
            link.send(frame);
        } else {
            frame.release();
        }
    }

    /**
     * Puts the argument publishers in the decoded arguments, where the payload holds their slot
     * numbers.
     *
     * @throws dev.hermod.MarshalException if a slot holds anything else
     */
    void substitute(Object[] args) {
        for (int i = 0; i < arguments.length; i++) {
            if (arguments[i] != null) {
                if (!(args[i] instanceof Number n) || n.intValue() != i + 1) {
                    throw Failures.marshal("parameter " + (i + 1) + " is a stream: its value must be its slot number "
                            + (i + 1) + ", not " + args[i], null, true);
                }
                args[i] = arguments[i];
            }
        }
    }

    /** Whether the operation streams its result. */
    boolean streamsResult() {
        return result != null;
    }

    /**
     * The servant returned its result publisher: items flow as the caller's credit allows. If the
     * request was canceled while the servant ran, the cancel left the answer to this.
     */
    void publish(Object returned) {
        publishing = true;
        // Only a cancel ends the stream before it starts. Read after publishing is set, as
        // cancel() reads publishing after it ends the stream: at least one of the two sees the
        // other and answers (a second answer is dropped), else the request is never answered.
        boolean canceled = result.isDone();
        if (returned instanceof Flow.Publisher<?> p) {
            result.start(p); // canceled, it subscribes only to cancel: the publisher can let go
        } else {
            result.onError(new NullPointerException("the servant returned null instead of a Flow.Publisher"));
        }
        if (canceled) { // the stream's ends say nothing after a cancel
            reply.failed(Failures.canceled(describe + " was canceled", null, false));
        }
    }

    /** A stream frame of this request arrived (I/O thread). */
    void onFrame(int type, int slot, ByteBuf body) {
        if (type == Wire.CREDIT) {
            long credit = StreamFrames.readCredit(body);
            if (slot != StreamFrames.RESULT_SLOT || result == null) {
                throw new ProtocolViolation("CREDIT for slot " + slot + " of request " + requestId
                        + ", which receives no stream there");
            }
            result.credit(credit);
            return;
        }
        StreamIn in = slot >= 1 && slot <= arguments.length ? arguments[slot - 1] : null;
        if (in == null) {
            throw new ProtocolViolation(Wire.typeName(type) + " for slot " + slot + " of request " + requestId
                    + ", which takes no stream there");
        }
        if (type == Wire.ITEM) {
            if (!in.item(body)) {
                throw new ProtocolViolation("an ITEM beyond the credit granted for slot " + slot + " of request "
                        + requestId);
            }
            return;
        }
        StreamFrames.End end = StreamFrames.readEnd(body);
        if (end.kind() == StreamFrames.END_COMPLETED) {
            in.complete();
        } else {
            in.fail(Failures.rpc(end.status(), end.message(), null, false));
        }
    }

    /**
     * The caller canceled, or the connection closed: the servant's publisher is canceled and its
     * argument streams fail. Returns whether the servant had returned, so that the invocation
     * must answer now; while the servant runs, {@link #publish} answers when it returns.
     */
    boolean cancel(String why) {
        if (result != null) {
            result.cancel();
        }
        end(Failures.canceled(why, null, false));
        return publishing;
    }

    /** The request was answered: argument streams still open end with {@code why}. */
    void end(Throwable why) {
        for (StreamIn in : arguments) {
            if (in != null && !in.isOver()) {
                in.fail(why);
            }
        }
    }
}
