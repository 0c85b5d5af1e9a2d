package dev.hermod.resolve;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on loopback UDP for tests, built on Netty's DNS codec: answers A and SRV queries
 * from tables the test changes while it runs (TTL 1 s), NXDOMAIN for a name it has nothing for,
 * and an empty answer for other types (AAAA).
 */
final class TestDnsServer implements AutoCloseable {
    /** One SRV record. */
    record Srv(int priority, int weight, int port, String target) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final Map<String, List<String>> addresses = new ConcurrentHashMap<>();
    private final Map<String, List<Srv>> services = new ConcurrentHashMap<>();
    final AtomicInteger queries = new AtomicInteger();

    TestDnsServer() throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
                                        ctx.writeAndFlush(answer(query));
                                    }
                                });
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    /** The address of this server, for {@code dns://127.0.0.1:port/...}. */
    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Sets the A records of {@code name} (dotted IPv4 addresses); none removes the name. */
    void a(String name, String... ipv4) {
        if (ipv4.length == 0) {
            addresses.remove(name);
        } else {
            addresses.put(name, List.of(ipv4));
        }
    }

    /** Sets the SRV records of {@code name}. */
    void srv(String name, Srv... records) {
        services.put(name, List.of(records));
    }

    private DatagramDnsResponse answer(DatagramDnsQuery query) {
        queries.incrementAndGet();
        DnsQuestion q = query.recordAt(DnsSection.QUESTION);
        DatagramDnsResponse r = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
        r.setRecursionAvailable(true);
        r.addRecord(DnsSection.QUESTION, q);
        String name = q.name().endsWith(".") ? q.name().substring(0, q.name().length() - 1) : q.name();
        List<String> a = addresses.get(name);
        List<Srv> srv = services.get(name);
        if (a == null && srv == null) {
            r.setCode(DnsResponseCode.NXDOMAIN);
        } else if (q.type() == DnsRecordType.A && a != null) {
            for (String ip : a) {
                byte[] bytes = new byte[4];
                String[] parts = ip.split("\\.");
                for (int i = 0; i < 4; i++) {
                    bytes[i] = (byte) Integer.parseInt(parts[i]);
                }
                r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, 1,
                        Unpooled.wrappedBuffer(bytes)));
            }
        } else if (q.type() == DnsRecordType.SRV && srv != null) {
            for (Srv s : srv) {
                ByteBuf content = Unpooled.buffer();
                content.writeShort(s.priority()).writeShort(s.weight()).writeShort(s.port());
                for (String label : s.target().split("\\.")) { // uncompressed, as RFC 2782 asks
                    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
                    content.writeByte(l.length).writeBytes(l);
                }
                content.writeByte(0);
                r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.SRV, 1, content));
            }
        }
        return r;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
