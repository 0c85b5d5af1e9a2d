package dev.hermod.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bare-Netty baseline (issue 19): the plain-socket baselines' frames (a 4-byte big-endian
 * length and the payload) echoed by a Netty server with one event loop, and sent by a Netty client
 * with one event loop of its own, on the channel type Hermod uses (epoll where it loads, NIO
 * otherwise) with Hermod's options (TCP_NODELAY, pooled buffers). Netty's cost above the socket is
 * the event-loop model; Hermod's cost above Netty is what Hermod itself adds. The server echoes
 * each frame as it came and flushes when a read burst ends. One caller at a time; the client's
 * handler checks every reply.
 */
final class NettyEcho implements AutoCloseable {
    private static final boolean EPOLL = Epoll.isAvailable();

    private final EventLoopGroup serverGroup = group("bench-netty-server");
    private final EventLoopGroup clientGroup = group("bench-netty-client");
    private final Channel server;
    private final Channel client;
    /** What the client does with a reply's payload, on its event loop. */
    private volatile ReplyHandler onReply;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private interface ReplyHandler {
        void reply(ByteBuf payload);
    }

    NettyEcho() throws InterruptedException {
        server = configure(new ServerBootstrap().group(serverGroup), new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(Options.MAX_PAYLOAD + 4, 0, 4),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object frame) {
                                        ctx.write(frame); // length and payload, as they came
                                    }

                                    @Override
                                    public void channelReadComplete(ChannelHandlerContext ctx) {
                                        ctx.flush();
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        client = configure(new Bootstrap().group(clientGroup), new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(Options.MAX_PAYLOAD + 4, 0, 4, 0, 4),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object payload) {
                                        try {
                                            onReply.reply((ByteBuf) payload);
                                        } catch (RuntimeException e) {
                                            failure.compareAndSet(null, e);
                                        } finally {
                                            ReferenceCountUtil.release(payload);
                                        }
                                    }

                                    @Override
                                    public void channelReadComplete(ChannelHandlerContext ctx) {
                                        ctx.flush(); // what a chained run's replies wrote; else nothing
                                    }
                                });
                    }
                }).connect(server.localAddress()).sync().channel();
    }

    /** One event loop of Hermod's kind (epoll where it loads, else NIO), on a daemon thread. */
    static EventLoopGroup group(String name) {
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true),
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** A server bootstrap with Hermod's channel type and options, accepting on its child group. */
    static ServerBootstrap configure(ServerBootstrap b, ChannelInitializer<Channel> init) {
        return b.channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT)
                .childHandler(init);
    }

    /** A client bootstrap with Hermod's channel type and options. */
    static Bootstrap configure(Bootstrap b, ChannelInitializer<Channel> init) {
        return b.channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT)
                .handler(init);
    }

    private ByteBuf frame(byte[] payload) {
        ByteBuf buf = client.alloc().buffer(4 + payload.length);
        return buf.writeInt(payload.length).writeBytes(payload);
    }

    /**
     * Ping-pong, as the plain-socket latency baseline: calls {@code from} to {@code to}, each one
     * frame written and flushed and its reply awaited, storing each round trip's nanoseconds.
     */
    void pingPong(byte[] request, long[] samples, int from, int to) throws Exception {
        byte[] reply = new byte[request.length];
        for (int i = from; i < to; i++) {
            Payloads.stamp(request, i);
            CompletableFuture<Void> answered = new CompletableFuture<>();
            onReply = payload -> {
                if (payload.readableBytes() != reply.length) {
                    throw new BenchmarkFailure("netty reply has " + payload.readableBytes() + " bytes");
                }
                payload.readBytes(reply);
                answered.complete(null);
            };
            long start = System.nanoTime();
            client.writeAndFlush(frame(request));
            answered.get(30, TimeUnit.SECONDS);
            samples[i] = System.nanoTime() - start;
            check();
            if (!java.util.Arrays.equals(reply, request)) {
                throw new BenchmarkFailure("netty reply does not match request " + i);
            }
        }
    }

    /**
     * Pipelined, as the plain-socket throughput baseline: frames written while fewer than
     * {@code window} are unanswered, flushed whenever the writer must wait for a reply; replies
     * checked in order on the client's event loop.
     */
    ThroughputBenchmark.Rate pipelined(int payload, int window, Duration duration) throws Exception {
        Semaphore permits = new Semaphore(window);
        AtomicLong received = new AtomicLong();
        byte[] reply = new byte[payload];
        onReply = frame -> {
            long seq = received.get();
            if (frame.readableBytes() != payload) {
                throw new BenchmarkFailure("netty reply " + seq + " has " + frame.readableBytes() + " bytes");
            }
            frame.readBytes(reply);
            if (!Payloads.matches(reply, payload, seq)) {
                throw new BenchmarkFailure("netty reply " + seq + " does not match its request");
            }
            received.incrementAndGet();
            permits.release();
        };
        byte[] request = Payloads.of(payload, 0);
        Usage before = Usage.now();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long sent = 0;
        while (System.nanoTime() - end < 0) {
            if (!permits.tryAcquire()) {
                client.flush();
                acquire(permits, 1);
            }
            check();
            Payloads.stamp(request, sent++);
            client.write(frame(request));
        }
        client.flush();
        acquire(permits, window);
        long nanos = System.nanoTime() - start;
        Usage used = Usage.now().since(before);
        check();
        if (received.get() != sent) {
            throw new BenchmarkFailure("netty throughput: " + received.get() + " of " + sent + " replies received");
        }
        return new ThroughputBenchmark.Rate(sent, nanos, used, null);
    }

    /**
     * Chained, as Hermod's {@code throughput.chained} run: {@code window} requests written at
     * once, then each reply, checked on the client's event loop, answered there by the next
     * request, written to the channel's buffer and flushed once per read burst, until the time is
     * up; no thread but the two event loops takes part.
     */
    ThroughputBenchmark.Rate chained(int payload, int window, Duration duration) throws Exception {
        byte[] request = Payloads.of(payload, 0);
        byte[] reply = new byte[payload];
        long[] counts = new long[2]; // requests sent, replies received: the client's event loop's alone
        CountDownLatch ended = new CountDownLatch(1);
        Usage before = Usage.now();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        onReply = frame -> {
            long seq = counts[1];
            if (frame.readableBytes() != payload) {
                ended.countDown();
                throw new BenchmarkFailure("netty reply " + seq + " has " + frame.readableBytes() + " bytes");
            }
            frame.readBytes(reply);
            if (!Payloads.matches(reply, payload, seq)) {
                ended.countDown();
                throw new BenchmarkFailure("netty reply " + seq + " does not match its request");
            }
            counts[1]++;
            if (System.nanoTime() - end < 0) {
                Payloads.stamp(request, counts[0]++);
                client.write(frame(request));
            } else if (counts[1] == counts[0]) {
                ended.countDown();
            }
        };
        client.eventLoop().execute(() -> {
            for (int i = 0; i < window; i++) {
                Payloads.stamp(request, counts[0]++);
                client.write(frame(request));
            }
            client.flush();
        });
        if (!ended.await(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
            check();
            throw new BenchmarkFailure("netty chained: no reply within 30 s");
        }
        long nanos = System.nanoTime() - start;
        Usage used = Usage.now().since(before);
        check();
        return new ThroughputBenchmark.Rate(counts[1], nanos, used, null);
    }

    private void acquire(Semaphore permits, int n) throws InterruptedException {
        if (!permits.tryAcquire(n, 30, TimeUnit.SECONDS)) {
            check();
            throw new BenchmarkFailure("netty: no reply within 30 s");
        }
    }

    private void check() {
        Throwable t = failure.get();
        if (t != null) {
            throw new BenchmarkFailure("netty baseline: " + t.getMessage(), t);
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
