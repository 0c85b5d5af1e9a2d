package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection cut while a batch of {@link Outbound} is partly written: the frames the socket took
 * whole may have been read and run by the peer, so their writers must learn that they were
 * written (a request counted unprocessed is sent again: run twice); only the frames past the cut
 * fail. Netty reports how much of a message the socket took to its promise as progress
 * ({@link ChannelOutboundBuffer#removeBytes}) and then fails the promise of the message cut.
 *
 * <p>The channel is an embedded one whose socket takes the first bytes it is told to, through
 * Netty's own outbound buffer, as a socket channel's write does, and then fails as a reset
 * connection does: the channel closes and its flushed writes fail.
 */
final class PartlyWrittenBatchTest {
    private static final int FRAME = 100;

    private CutChannel channel;

    @AfterEach
    void release() {
        if (channel != null) {
            channel.finishAndReleaseAll();
            channel.wire.release();
        }
    }

    /** An embedded channel whose socket takes {@code allowed} bytes, then is reset. */
    private static final class CutChannel extends EmbeddedChannel {
        /** What the peer received. */
        final ByteBuf wire = Unpooled.buffer();
        private long allowed;

        CutChannel(long allowed) {
            this.allowed = allowed;
        }

        @Override
        protected void doWrite(ChannelOutboundBuffer in) throws Exception {
            for (;;) {
                ByteBuf msg = (ByteBuf) in.current();
                if (msg == null) {
                    return;
                }
                int taken = (int) Math.min(msg.readableBytes(), allowed);
                boolean whole = taken == msg.readableBytes();
                wire.writeBytes(msg, msg.readerIndex(), taken);
                allowed -= taken;
                in.removeBytes(taken); // as NioSocketChannel does: progress, and the messages written whole removed
                if (!whole) {
                    throw new IOException("Connection reset by peer");
                }
            }
        }
    }

    /** A frame of {@code size} bytes, each byte {@code id}. */
    static ByteBuf frame(int id, int size) {
        ByteBuf frame = Unpooled.buffer(size);
        for (int i = 0; i < size; i++) {
            frame.writeByte(id);
        }
        return frame;
    }

    /** The ids of the frames of {@code size} bytes the peer received whole. */
    private List<Integer> receivedWhole(int size) {
        List<Integer> ids = new ArrayList<>();
        ByteBuf wire = channel.wire;
        for (int at = 0; at + size <= wire.writerIndex(); at += size) {
            ids.add((int) wire.getByte(at));
        }
        return ids;
    }

    /** A waiter that records whether the write it was told of succeeded. */
    static final class Told implements ChannelFutureListener {
        Boolean success;

        @Override
        public void operationComplete(ChannelFuture future) {
            success = future.isSuccess();
        }
    }

    /**
     * Frames {@code 0} to {@code frames - 1} of {@code size} bytes sent by {@code outbound}, with
     * every kind of waiter in turn: a promise, a listener (a request's), and none (void).
     */
    static final class Sent {
        final ChannelPromise[] promises;
        final Told[] listeners;

        Sent(Channel channel, Outbound outbound, int frames, int size) {
            promises = new ChannelPromise[frames];
            listeners = new Told[frames];
            for (int i = 0; i < frames; i++) {
                if (i % 3 == 0) {
                    promises[i] = channel.newPromise();
                    outbound.send(frame(i, size), promises[i]);
                } else if (i % 3 == 1) {
                    listeners[i] = new Told();
                    outbound.send(frame(i, size), listeners[i]);
                } else {
                    outbound.send(frame(i, size), channel.voidPromise());
                }
            }
        }

        /** Asserts that the waiters of the frames {@code written} accepts were told written, the others not. */
        void assertWritten(IntPredicate written) {
            for (int i = 0; i < promises.length; i++) {
                if (promises[i] != null) {
                    assertThat(promises[i].isDone()).as("frame %d's promise done", i).isTrue();
                    assertThat(promises[i].isSuccess()).as("frame %d's promise succeeded", i).isEqualTo(written.test(i));
                } else if (listeners[i] != null) {
                    assertThat(listeners[i].success).as("frame %d's listener told success", i).isEqualTo(written.test(i));
                }
            }
        }
    }

    @Test
    void batchCutAfterEightFrames_theEightAreWritten_theRestFail() {
        int frames = 20;
        channel = new CutChannel(8 * FRAME + FRAME / 2); // the ninth frame is cut
        Sent sent = new Sent(channel, new Outbound(channel), frames, FRAME);

        channel.runPendingTasks(); // the batch is written, in one message, and cut

        assertThat(channel.isOpen()).isFalse();
        assertThat(receivedWhole(FRAME)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        sent.assertWritten(i -> i < 8);
    }

    @Test
    void batchOfOneWaiter_cutInAFrameAfterIts_itsFrameIsWritten() {
        channel = new CutChannel(FRAME + FRAME / 2);
        Outbound outbound = new Outbound(channel);
        ChannelPromise promise = channel.newPromise();
        outbound.send(frame(0, FRAME), promise);
        outbound.send(frame(1, FRAME), channel.voidPromise()); // nobody waits for this one

        channel.runPendingTasks();

        assertThat(receivedWhole(FRAME)).containsExactly(0);
        assertThat(promise.isSuccess()).isTrue();
    }

    @Test
    void largeFrameCut_itFails_theBatchBeforeItIsWritten() {
        int large = Outbound.COPY_LIMIT + 1000;
        channel = new CutChannel(FRAME + large / 2);
        Outbound outbound = new Outbound(channel);
        Told small = new Told();
        Told cut = new Told();
        outbound.send(frame(0, FRAME), small);
        outbound.send(frame(1, large), cut); // written on its own, after the batch before it

        channel.runPendingTasks();

        assertThat(small.success).isTrue();
        assertThat(cut.success).isFalse();
    }
}
