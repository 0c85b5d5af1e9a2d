package dev.hermod.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes read from and written to the channels it is installed on (first in their
 * pipelines, so after TLS). One instance per client or server, shared by its channels.
 */
@ChannelHandler.Sharable
public final class Traffic extends ChannelDuplexHandler {
    /** Its name in a pipeline. */
    public static final String NAME = "traffic";
    private final LongAdder in = new LongAdder();
    private final LongAdder out = new LongAdder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            in.add(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            out.add(b.readableBytes());
        }
        ctx.write(msg, promise);
    }

    /** Counts {@code bytes} written to one of the channels without passing their pipelines. */
    public void countSent(long bytes) {
        out.add(bytes);
    }

    /** Bytes read so far. */
    public long received() {
        return in.sum();
    }

    /** Bytes written so far. */
    public long sent() {
        return out.sum();
    }
}
