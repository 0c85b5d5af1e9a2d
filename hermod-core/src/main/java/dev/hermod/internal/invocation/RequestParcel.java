package dev.hermod.internal.invocation;

import dev.hermod.internal.protocol.FrameListener;
import dev.hermod.internal.protocol.RequestTable;
import dev.hermod.internal.transport.Backlog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;

/**
 * A request frame as the connection's backlog sees it: it goes out only if its call claims it
 * ({@link Call#handOver}) first; a call canceled or expired before that has withdrawn it, and the
 * frame is dropped unsent. Used by one hand-over; the backlog calls it under its lock. It is also
 * the call's entry in the connection's table of calls waiting for a reply, under the request's
 * id: one object per request, not two.
 */
final class RequestParcel extends RequestTable.Entry<Call> implements Backlog.Parcel, FrameListener {
    /**
     * Runs, when set, in {@link #handedOver} on the thread that handed the frame over, before
     * anything else there: tests set it to hold that thread while the peer answers the request
     * (as a preempted thread may be held), to check that nothing the answer depends on is left
     * for after the hand-over. Null otherwise.
     */
    static volatile java.util.function.Consumer<Call> afterHandOver;

    /** In {@link #attempt}: the call had withdrawn its request, and the frame was dropped unsent. */
    private static final int DROPPED = -1;
    private final RpcConnection connection;
    /**
     * The call's attempt this frame carries: a frame of an earlier attempt never goes out.
     * {@link #DROPPED} once the frame was dropped unsent.
     */
    private int attempt;
    /** The frame claimed for sending; the link's queue holds it through this parcel. */
    private ByteBuf frame;

    /** A parcel for {@code call}'s attempt {@code attempt}; its id is set as the connection registers it. */
    RequestParcel(RpcConnection connection, Call call, int attempt) {
        super(call);
        this.connection = connection;
        this.attempt = attempt;
    }

    @Override
    public ByteBuf claim(ByteBuf frame) {
        Call call = call();
        call.unqueued();
        if (call.handOver(attempt)) {
            this.frame = frame;
            return frame;
        }
        frame.release(); // withdrawn: never sent
        attempt = DROPPED;
        return null;
    }

    @Override
    public ByteBuf frame() {
        return frame;
    }

    /**
     * A synchronous call alone on its connection: its thread waits, and the I/O thread, with no
     * reply to expect, likely sleeps. With other calls waiting, the I/O thread is about, and
     * requests handed to it go out together: 32 threads calling at once made about 25% fewer
     * calls a second when each wrote its own.
     */
    @Override
    public boolean writeNow() {
        Call call = call();
        return call.awaitedSync && !call.oneway && connection.pendingCalls() <= 1;
    }

    @Override
    public void handingOver() {
        connection.number(call());
    }

    @Override
    public void handedOver() {
        Call call = call();
        java.util.function.Consumer<Call> hook = afterHandOver;
        if (hook != null) {
            hook.accept(call);
        }
        call.markSent();
        if (call.oneway) {
            call.succeed(null); // a oneway call is done once the transport has it, as in Ice
        }
    }

    @Override
    public void written(ChannelFuture f) {
        Call call = call();
        if (f.isSuccess()) {
            call.written(attempt);
        } else if (call.oneway || connection.unregister(id(), call)) {
            // Not written, so the server cannot have read it whole: unprocessed.
            call.fail(Exceptions.unsent(connection.writeFailure(f, "could not send " + call.describe())));
        }
    }

    @Override
    public void claimed() {
        if (attempt == DROPPED) {
            connection.forget(call());
        }
    }
}
