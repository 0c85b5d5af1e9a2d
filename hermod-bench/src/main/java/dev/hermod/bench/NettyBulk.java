package dev.hermod.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bare-Netty side of the bulk scenario: the plain-socket transfer's frames (4-byte length,
 * 8-byte offset, chunk) and 8-byte acks, through a Netty server and client with one event loop
 * each ({@link NettyEcho#group}, {@link NettyEcho#configure}). The server copies each chunk into
 * one reused array, as the socket baseline reads into one, hands it to the sink and acknowledges
 * it; the client writes and flushes each frame while it holds a window permit, and its event loop
 * checks that acks come back in order and returns the permits.
 */
final class NettyBulk implements AutoCloseable {
    private final EventLoopGroup serverGroup = NettyEcho.group("bench-netty-bulk-server");
    private final EventLoopGroup clientGroup = NettyEcho.group("bench-netty-bulk-client");
    private final Channel server;
    private final Channel client;
    private final int window;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<Long> unacked = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    NettyBulk(ChunkSink sink, int chunkSize, int window) throws InterruptedException {
        this.window = window;
        this.permits = new Semaphore(window);
        byte[] buf = new byte[chunkSize];
        server = NettyEcho.configure(new ServerBootstrap().group(serverGroup), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(Options.MAX_CHUNK + 12, 0, 4, 0, 4),
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf frame = (ByteBuf) msg;
                                try {
                                    long offset = frame.readLong();
                                    int n = frame.readableBytes();
                                    byte[] into = n > buf.length ? new byte[n] : buf;
                                    frame.readBytes(into, 0, n);
                                    sink.accept(offset, into, n);
                                    ctx.write(ctx.alloc().buffer(8).writeLong(offset));
                                } finally {
                                    ReferenceCountUtil.release(frame);
                                }
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }
                        });
            }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        client = NettyEcho.configure(new Bootstrap().group(clientGroup), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FixedLengthFrameDecoder(8), // acks: an offset each
                        new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf ack = (ByteBuf) msg;
                        try {
                            long offset = ack.readLong();
                            Long expected = unacked.poll();
                            if (expected == null || expected != offset) {
                                failure.compareAndSet(null, new IllegalStateException(
                                        "ack for offset " + offset + ", expected " + expected));
                                permits.release(window);
                                return;
                            }
                            permits.release();
                        } finally {
                            ReferenceCountUtil.release(ack);
                        }
                    }
                });
            }
        }).connect(server.localAddress()).sync().channel();
    }

    /** Sends {@code total} bytes; returns the elapsed nanoseconds once every chunk is acknowledged. */
    long run(ChunkSink sink, byte[] chunk, long total) throws InterruptedException {
        sink.reset();
        long start = System.nanoTime();
        long offset = 0;
        while (offset < total) {
            int n = (int) Math.min(chunk.length, total - offset);
            acquire(1);
            unacked.add(offset);
            ByteBuf frame = client.alloc().buffer(12 + n).writeInt(8 + n).writeLong(offset).writeBytes(chunk, 0, n);
            client.writeAndFlush(frame);
            offset += n;
        }
        acquire(window); // every chunk acknowledged
        long elapsed = System.nanoTime() - start;
        permits.release(window);
        sink.verify(total, chunk.length, "netty server");
        return elapsed;
    }

    private void acquire(int n) throws InterruptedException {
        if (!permits.tryAcquire(n, 30, TimeUnit.SECONDS)) {
            throw new BenchmarkFailure("netty bulk transfer: no ack within 30 s");
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new BenchmarkFailure("netty bulk transfer failed: " + t.getMessage(), t);
        }
    }

    @Override
    public void close() {
        client.close().syncUninterruptibly();
        server.close().syncUninterruptibly();
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
