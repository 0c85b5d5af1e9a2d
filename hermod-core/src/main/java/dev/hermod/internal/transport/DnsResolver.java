package dev.hermod.internal.transport;

import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.NameResolver;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The resolver of {@code dns:} targets (issue 15): {@code dns:///name:port} takes every A and
 * AAAA record of {@code name} as an endpoint on {@code port} (a Kubernetes headless service);
 * {@code dns+srv:///_service._tcp.name} takes the SRV records of that name, those of the lowest
 * priority, each target's addresses on the record's port with its weight. An authority names the
 * DNS server to ask ({@code dns://10.0.0.2:53/...}); without one the system's servers are asked.
 * The set is looked up again every {@code refresh} seconds (a query parameter, default 30) and
 * when the client suspects it is stale (a connection failed), at most once a second; a lookup
 * that fails keeps the last set. Lookups go through Netty's DNS resolver, without its cache (the
 * refresh is the cache), on one shared event loop thread.
 *
 * <p>Each endpoint carries the name it was found under as {@link Endpoint#TLS_SERVER_NAME}, so
 * that TLS checks the server's certificate against the name, not the address. Thread-safe.
 */
public final class DnsResolver implements NameResolver {
    private static final long DEFAULT_REFRESH_SECONDS = 30;
    private static final long MIN_REFRESH_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One event loop thread for every client's lookups: DNS traffic is small. */
    private static final class Loop {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("hermod-dns", true), NioIoHandler.newFactory());
    }

    /** {@code dns:///name:port}: A and AAAA records. */
    public static final class AddressProvider implements NameResolver.Provider {
        @Override
        public String scheme() {
            return "dns";
        }

        @Override
        public NameResolver newResolver(URI target, ScheduledExecutorService scheduler) {
            return new DnsResolver(target, false, scheduler);
        }
    }

    /** {@code dns+srv:///_service._tcp.name}: SRV records. */
    public static final class SrvProvider implements NameResolver.Provider {
        @Override
        public String scheme() {
            return "dns+srv";
        }

        @Override
        public NameResolver newResolver(URI target, ScheduledExecutorService scheduler) {
            return new DnsResolver(target, true, scheduler);
        }
    }

    private final String text;
    private final String name;
    /** The port of an address lookup; unused for SRV. */
    private final int port;
    private final boolean srv;
    private final InetSocketAddress server;
    private final ScheduledExecutorService scheduler;
    private final long refreshSeconds;
    private final AtomicBoolean looking = new AtomicBoolean();
    private volatile Listener listener;
    private volatile DnsNameResolver dns;
    private volatile ScheduledFuture<?> periodic;
    private volatile long lastLookup;
    private volatile boolean closed;

    DnsResolver(URI target, boolean srv, ScheduledExecutorService scheduler) {
        this.text = target.toString();
        this.srv = srv;
        this.scheduler = scheduler;
        String expected = srv ? "dns+srv://[dns-server[:port]]/_service._tcp.name" : "dns://[dns-server[:port]]/name:port";
        String path = target.getRawPath() == null ? "" : target.getPath();
        if (!path.startsWith("/") || path.length() < 2 || target.getRawFragment() != null) {
            throw new IllegalArgumentException("invalid target '" + text + "': expected " + expected);
        }
        String rest = path.substring(1);
        if (srv) {
            this.name = rest;
            this.port = -1;
        } else {
            int colon = rest.lastIndexOf(':');
            int p = -1;
            if (colon > 0) {
                try {
                    p = Integer.parseInt(rest.substring(colon + 1));
                } catch (NumberFormatException e) {
                    p = -1;
                }
            }
            if (p < 1 || p > 65_535) {
                throw new IllegalArgumentException("invalid target '" + text + "': expected " + expected
                        + " (the port of the servers, 1 to 65535, after the name)");
            }
            this.name = rest.substring(0, colon);
            this.port = p;
        }
        if (name.isEmpty() || name.contains("/") || name.contains(":")) {
            throw new IllegalArgumentException("invalid target '" + text + "': '" + name + "' is no DNS name; expected "
                    + expected);
        }
        if (target.getHost() != null) {
            this.server = new InetSocketAddress(target.getHost(), target.getPort() < 0 ? 53 : target.getPort());
        } else if (target.getRawAuthority() != null) {
            throw new IllegalArgumentException("invalid target '" + text + "': the DNS server '"
                    + target.getRawAuthority() + "' is no host[:port]");
        } else {
            this.server = null;
        }
        this.refreshSeconds = refreshSeconds(target);
    }

    private long refreshSeconds(URI target) {
        String query = target.getQuery();
        if (query == null || query.isEmpty()) {
            return DEFAULT_REFRESH_SECONDS;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("refresh=")) {
                try {
                    long s = Long.parseLong(pair.substring("refresh=".length()));
                    if (s >= 1) {
                        return s;
                    }
                } catch (NumberFormatException e) {
                    // below
                }
                throw new IllegalArgumentException("invalid target '" + text + "': refresh must be a whole number"
                        + " of seconds, at least 1: " + pair);
            }
            throw new IllegalArgumentException("invalid target '" + text + "': unknown parameter '" + pair
                    + "' (the one known is refresh=SECONDS)");
        }
        return DEFAULT_REFRESH_SECONDS;
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(Loop.GROUP.next())
                .datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(server != null ? new SingletonDnsServerAddressStreamProvider(server)
                        : DnsServerAddressStreamProviders.platformDefault())
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .queryTimeoutMillis(5_000);
        dns = b.build();
        scheduler.execute(this::lookUp);
        periodic = scheduler.scheduleWithFixedDelay(this::lookUp, refreshSeconds, refreshSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void refresh() {
        if (System.nanoTime() - lastLookup >= MIN_REFRESH_GAP_NANOS && !closed) {
            try {
                scheduler.execute(this::lookUp);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the client is terminating
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> p = periodic;
        if (p != null) {
            p.cancel(false);
        }
        DnsNameResolver d = dns;
        if (d != null) {
            d.close();
        }
    }

    /** One lookup at a time; its outcome goes to the listener. */
    private void lookUp() {
        if (closed || !looking.compareAndSet(false, true)) {
            return;
        }
        lastLookup = System.nanoTime();
        CompletableFuture<List<Endpoint>> found = srv ? lookUpSrv() : addresses(name, port, 1);
        found.whenComplete((endpoints, failure) -> {
            looking.set(false);
            if (closed) {
                return;
            }
            if (failure != null) {
                listener.onError(new java.io.IOException("cannot resolve " + text + ": " + unwrap(failure).getMessage(),
                        unwrap(failure)));
            } else {
                listener.onEndpoints(endpoints);
            }
        });
    }

    private CompletableFuture<List<Endpoint>> addresses(String host, int port, int weight) {
        CompletableFuture<List<Endpoint>> result = new CompletableFuture<>();
        Future<List<InetAddress>> lookup = dns.resolveAll(host);
        lookup.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            List<Endpoint> endpoints = new ArrayList<>();
            for (InetAddress a : lookup.getNow()) {
                endpoints.add(new Endpoint(a.getHostAddress(), port, weight, Map.of(Endpoint.TLS_SERVER_NAME, host)));
            }
            result.complete(endpoints);
        });
        return result;
    }

    /** An SRV record: RFC 2782. */
    private record Srv(int priority, int weight, int port, String target) {}

    private CompletableFuture<List<Endpoint>> lookUpSrv() {
        CompletableFuture<List<Srv>> records = new CompletableFuture<>();
        Future<List<DnsRecord>> lookup = dns.resolveAll(new DefaultDnsQuestion(name, DnsRecordType.SRV));
        lookup.addListener(f -> {
            if (!f.isSuccess()) {
                records.completeExceptionally(f.cause());
                return;
            }
            List<Srv> srvs = new ArrayList<>();
            try {
                for (DnsRecord r : lookup.getNow()) {
                    if (r instanceof DnsRawRecord raw && r.type() == DnsRecordType.SRV) {
                        ByteBuf content = raw.content().duplicate();
                        int priority = content.readUnsignedShort();
                        int weight = content.readUnsignedShort();
                        int p = content.readUnsignedShort();
                        String target = DefaultDnsRecordDecoder.decodeName(content);
                        if (target.endsWith(".")) {
                            target = target.substring(0, target.length() - 1);
                        }
                        if (p > 0 && !target.isEmpty()) { // "." as target: the service is not offered
                            srvs.add(new Srv(priority, weight, p, target));
                        }
                    }
                }
                records.complete(srvs);
            } catch (RuntimeException e) {
                records.completeExceptionally(e);
            } finally {
                lookup.getNow().forEach(io.netty.util.ReferenceCountUtil::release);
            }
        });
        return records.thenCompose(srvs -> {
            int lowest = srvs.stream().mapToInt(Srv::priority).min().orElse(0);
            List<Srv> chosen = srvs.stream().filter(s -> s.priority() == lowest)
                    .sorted(Comparator.comparing(Srv::target).thenComparingInt(Srv::port)).toList();
            List<CompletableFuture<List<Endpoint>>> each = chosen.stream()
                    .map(s -> addresses(s.target(), s.port(), s.weight())).toList();
            // A target without an address is left out; only if none has one does the lookup fail.
            return CompletableFuture.allOf(each.stream().map(e -> e.handle((v, x) -> v))
                    .toArray(CompletableFuture[]::new)).thenApply(v -> {
                        List<Endpoint> all = new ArrayList<>();
                        Throwable failure = null;
                        for (CompletableFuture<List<Endpoint>> e : each) {
                            if (e.isCompletedExceptionally()) {
                                failure = e.handle((x, t) -> t).join();
                            } else {
                                all.addAll(e.join());
                            }
                        }
                        if (all.isEmpty() && failure != null) {
                            throw new java.util.concurrent.CompletionException(failure);
                        }
                        return all;
                    });
        });
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Override
    public String toString() {
        return "DnsResolver[" + text + "]";
    }
}
