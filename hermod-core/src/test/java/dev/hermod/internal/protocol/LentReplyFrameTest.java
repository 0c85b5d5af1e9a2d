package dev.hermod.internal.protocol;

import static dev.hermod.internal.protocol.WireBytes.bytes;
import static dev.hermod.internal.protocol.WireBytes.concat;
import static dev.hermod.internal.protocol.WireBytes.frame;
import static dev.hermod.internal.protocol.WireBytes.preamble;
import static dev.hermod.internal.protocol.WireBytes.withoutPrefix;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The decoder passes a whole REPLY frame of up to {@link FrameDecoder#LENT_MAX} bytes in the one
 * buffer it lends, reused frame after frame, each frame whole while the receiver reads it; every
 * other frame (another type, a reply split between reads, a longer one) comes in a buffer of its
 * own that the receiver may keep.
 */
class LentReplyFrameTest {
    /** What a receiver that copies each frame as it reads it saw, and in which buffer. */
    private final List<byte[]> seen = new ArrayList<>();
    private final List<ByteBuf> buffers = new ArrayList<>();
    /** Frames other than replies, kept (retained) as a server keeps a request. */
    private final List<ByteBuf> kept = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1 << 20),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf frame = (ByteBuf) msg;
                    seen.add(ByteBufUtil.getBytes(frame));
                    buffers.add(frame);
                    if (frame.getUnsignedByte(frame.readerIndex()) != Wire.REPLY) {
                        kept.add(frame.retain());
                    }
                    frame.release(); // as LinkHandler does once the frame is handled
                }
            });

    @AfterEach
    void close() {
        kept.forEach(ByteBuf::release);
        channel.finishAndReleaseAll();
    }

    private void feed(byte[] data, int... cuts) {
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : data.length;
            channel.writeInbound(Unpooled.directBuffer(Math.max(1, to - from)).writeBytes(data, from, to - from));
            from = to;
        }
    }

    @Test
    void wholeReplies_shareTheLentBuffer_andEachIsWholeWhileRead() {
        byte[][] replies = {frame(Wire.REPLY, 0, bytes(9)), frame(Wire.REPLY, 0, bytes(300)),
                frame(Wire.REPLY, 0, bytes(FrameDecoder.LENT_MAX - Wire.FRAME_HEADER)), frame(Wire.REPLY, 0, bytes(1))};

        feed(concat(preamble(), concat(replies)));

        assertThat(seen).containsExactly(java.util.Arrays.stream(replies).map(WireBytes::withoutPrefix)
                .toArray(byte[][]::new));
        assertThat(buffers).allSatisfy(b -> assertThat(b).isSameAs(buffers.get(0)));
        assertThat(buffers.get(0).hasArray()).isTrue();
    }

    @Test
    void otherFrames_splitReplies_andLongReplies_comeInBuffersOfTheirOwn_thatStayWhole() {
        byte[] request = frame(Wire.REQUEST, 0, bytes(40));
        byte[] split = frame(Wire.REPLY, 0, bytes(50));
        byte[] longReply = frame(Wire.REPLY, 0, bytes(FrameDecoder.LENT_MAX));
        byte[] whole = frame(Wire.REPLY, 0, bytes(20));
        byte[] request2 = frame(Wire.REQUEST, 0, bytes(60));
        byte[] stream = concat(preamble(), request, whole, split, longReply, whole, request2, whole);
        int splitAt = preamble().length + request.length + whole.length + 10; // inside the split reply

        feed(stream, splitAt);

        assertThat(seen).containsExactly(withoutPrefix(request), withoutPrefix(whole), withoutPrefix(split),
                withoutPrefix(longReply), withoutPrefix(whole), withoutPrefix(request2), withoutPrefix(whole));
        ByteBuf lent = buffers.get(1);
        assertThat(buffers.get(4)).isSameAs(lent);
        assertThat(buffers.get(6)).isSameAs(lent);
        for (int i : new int[] {0, 2, 3, 5}) {
            assertThat(buffers.get(i)).as("frame %d", i).isNotSameAs(lent);
        }
        // The requests kept are as they arrived, whatever the lent buffer held since.
        assertThat(ByteBufUtil.getBytes(kept.get(0))).isEqualTo(withoutPrefix(request));
        assertThat(ByteBufUtil.getBytes(kept.get(1))).isEqualTo(withoutPrefix(request2));
    }
}
