package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over loopback TCP: the buffer {@link Outbound#lendFrameBuffer} lends, filled, sent and given
 * back frame after frame, never changes a frame already sent, whether the frame was copied into
 * a batch, copied because it was too large for one, or grew the buffer past what is kept; and
 * with a handler that keeps the frames it is given until the flush, as TLS does.
 */
class LentFrameBufferTest {
    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    /** The bytes the server received, in order. */
    private final ByteBuf received = Unpooled.buffer();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    @BeforeEach
    void connect() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        server = Loopback.listen(group, () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                synchronized (received) {
                    received.writeBytes((ByteBuf) msg);
                }
                ((ByteBuf) msg).release();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                closed.complete(null);
            }
        });
        client = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new HoldUntilFlush())
                .connect(server.localAddress()).sync().channel();
    }

    /**
     * Keeps what is written until the flush, as TLS does with what it is yet to encrypt: a frame
     * handed to the channel is read again only then.
     */
    private static final class HoldUntilFlush extends io.netty.channel.ChannelOutboundHandlerAdapter {
        private final List<Object[]> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
            held.add(new Object[] {msg, promise});
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            for (Object[] w : held) {
                ctx.write(w[0], (io.netty.channel.ChannelPromise) w[1]);
            }
            held.clear();
            ctx.flush();
        }
    }

    @AfterEach
    void close() throws Exception {
        client.close().sync();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Writes {@code records} records of (frame, record number) into {@code buffer}. */
    private static void fill(ByteBuf buffer, long frame, int records) {
        for (int r = 0; r < records; r++) {
            buffer.writeLong(frame).writeLong(r);
        }
    }

    @Test
    void lentBuffer_reusedFrameAfterFrame_everyFrameArrivesAsItWasMade() throws Exception {
        Outbound outbound = new Outbound(client);
        // Records per frame, in turn: a small frame (copied into the batch), one too large to copy
        // (sent as a copy of its own), one that grows the buffer past what is kept (let go).
        int[] sizes = {1, Outbound.COPY_LIMIT / 16 + 1, 4096 / 16 + 1, 3};
        int frames = 400;
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        client.eventLoop().execute(() -> { // all in one task: nothing is flushed before the last frame is made
            List<String> notes = new ArrayList<>();
            ByteBuf previous = null;
            for (int f = 0; f < frames; f++) {
                ByteBuf lent = outbound.lendFrameBuffer(64);
                if (f > 0 && sizes[(f - 1) % sizes.length] * 16 <= 4096 && lent != previous) {
                    notes.add("frame " + f + ": a buffer given back small was not lent again");
                }
                if (f > 0 && sizes[(f - 1) % sizes.length] * 16 > 4096 && lent == previous) {
                    notes.add("frame " + f + ": a buffer grown past the kept size was lent again");
                }
                if (f % 50 == 7) { // a frame made while another is: its own buffer, sent first
                    ByteBuf inner = outbound.lendFrameBuffer(64);
                    if (inner == lent) {
                        notes.add("frame " + f + ": the lent buffer was lent twice");
                    }
                    fill(inner, -f, 2);
                    outbound.send(inner, client.voidPromise());
                    outbound.giveBack(inner);
                }
                fill(lent, f, sizes[f % sizes.length]);
                outbound.send(lent, client.voidPromise());
                lent.release(); // a path that drops the frame: the lent buffer survives it
                outbound.giveBack(lent);
                previous = lent;
            }
            outbound.writeWaiting();
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            seen.complete(notes);
        });
        assertThat(seen.get(30, TimeUnit.SECONDS)).isEmpty();
        closed.get(30, TimeUnit.SECONDS);

        ByteBuf expected = Unpooled.buffer();
        for (int f = 0; f < frames; f++) {
            if (f % 50 == 7) {
                fill(expected, -f, 2);
            }
            fill(expected, f, sizes[f % sizes.length]);
        }
        synchronized (received) {
            assertThat(received.readableBytes()).isEqualTo(expected.readableBytes());
            assertThat(io.netty.buffer.ByteBufUtil.equals(received, expected)).as("the bytes received").isTrue();
        }
    }

    @Test
    void offTheIoThread_aBufferOfItsOwn_sentAndReleasedAsAnyFrame() throws Exception {
        Outbound outbound = new Outbound(client);
        ByteBuf own = outbound.lendFrameBuffer(64);
        CompletableFuture<ByteBuf> onLoop = new CompletableFuture<>();
        client.eventLoop().execute(() -> {
            ByteBuf lent = outbound.lendFrameBuffer(64);
            outbound.giveBack(lent);
            onLoop.complete(lent);
        });

        assertThat(own).isNotSameAs(onLoop.get(30, TimeUnit.SECONDS));
        fill(own, 1, 1);
        outbound.send(own, client.voidPromise());
        outbound.giveBack(own); // not lent: left alone
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            synchronized (received) {
                return received.readableBytes() == 16;
            }
        });
        assertThat(own.refCnt()).as("released once copied, as any small frame").isZero();
    }

    @Test
    void offTheIoThread_smallFramesInHeapArrays_largeInTheChannelsMemory_allArriveWhole() throws Exception {
        Outbound outbound = new Outbound(client);
        ByteBuf small = outbound.lendFrameBuffer(CallerBuffers.MAX_HINT);
        ByteBuf grown = outbound.lendFrameBuffer(80); // a worker's reply larger than its hint said
        ByteBuf large = outbound.lendFrameBuffer(CallerBuffers.MAX_HINT + 1);

        assertThat(small.alloc()).as("a small frame's allocator").isSameAs(CallerBuffers.INSTANCE);
        assertThat(small.isDirect()).isFalse();
        assertThat(large.alloc()).as("a large frame's allocator").isSameAs(client.alloc());
        fill(small, 1, 2);
        fill(grown, 2, Outbound.COPY_LIMIT / 16 + 1); // past the batch: the channel gets the heap array itself
        fill(large, 3, 300);
        ByteBuf expected = Unpooled.buffer();
        for (ByteBuf frame : List.of(small, grown, large)) {
            expected.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            outbound.send(frame, client.voidPromise());
            outbound.giveBack(frame); // not lent: left alone
        }
        client.eventLoop().execute(() -> {
            outbound.writeWaiting();
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        });
        closed.get(30, TimeUnit.SECONDS);

        synchronized (received) {
            assertThat(io.netty.buffer.ByteBufUtil.equals(received, expected)).as("the bytes received").isTrue();
        }
        assertThat(List.of(small.refCnt(), grown.refCnt(), large.refCnt())).as("released once written")
                .containsOnly(0);
    }
}
