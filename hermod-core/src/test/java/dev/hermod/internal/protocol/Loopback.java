package dev.hermod.internal.protocol;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/** A loopback TCP server for the tests of a channel's writes: what it accepts is read by a handler of its own. */
final class Loopback {
    private Loopback() {}

    /** Listens on an ephemeral loopback port; each accepted channel gets the handler {@code perChannel} makes. */
    static Channel listen(EventLoopGroup group, Supplier<ChannelHandler> perChannel) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(perChannel.get());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }
}
