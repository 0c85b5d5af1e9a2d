package dev.hermod.internal.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A server's admin page: a small web page and the JSON behind each of its views, over HTTP with
 * Netty's codec on a thread of its own, bound to loopback. Read-only: it only reports.
 */
final class AdminPage implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final EventLoopGroup group;
    private final Channel channel;

    private AdminPage(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Starts serving on loopback at {@code port} (0: any free one).
     *
     * @param views the JSON views by name: {@code /api/NAME} serves each, {@code /api/all} all
     */
    static AdminPage start(int port, Map<String, Supplier<Object>> views) {
        byte[] page = page();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("hermod-admin", true),
                NioIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new Handler(page, views));
                        }
                    }).bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port)).sync().channel();
            return new AdminPage(group, channel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IllegalStateException("interrupted while starting the admin page", e);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new UncheckedIOException(new java.net.BindException("cannot serve the admin page on port " + port
                    + ": " + e.getMessage()));
        }
    }

    /** Where the page is served. */
    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static byte[] page() {
        try (InputStream in = AdminPage.class.getResourceAsStream("admin.html")) {
            if (in == null) {
                throw new IllegalStateException("admin.html is missing from hermod-core");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers GET requests: the page, or a view as JSON; anything else 404 or 405. */
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final byte[] page;
        private final Map<String, Supplier<Object>> views;

        Handler(byte[] page, Map<String, Supplier<Object>> views) {
            this.page = page;
            this.views = views;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String path = request.uri();
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            if (!request.method().equals(HttpMethod.GET)) {
                send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/")) {
                send(ctx, HttpResponseStatus.OK, "text/html; charset=utf-8", page);
            } else if (path.equals("/api/all")) {
                Map<String, Object> all = new LinkedHashMap<>();
                views.forEach((name, view) -> all.put(name, view.get()));
                send(ctx, HttpResponseStatus.OK, "application/json", JSON.writeValueAsBytes(all));
            } else if (path.startsWith("/api/") && views.containsKey(path.substring(5))) {
                send(ctx, HttpResponseStatus.OK, "application/json",
                        JSON.writeValueAsBytes(views.get(path.substring(5)).get()));
            } else {
                send(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", ("no such page: " + path + "; views: /, /api/all, /api/"
                        + String.join(", /api/", views.keySet()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }

        private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String type, byte[] body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
