package dev.hermod.internal.bridge;

import dev.hermod.codec.Codec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The settings of a server, as validated by {@code Server.Builder} and handed to
 * {@link Engine#startServer}. A null host means all interfaces, a null executor or codec the
 * defaults. {@code idleTimeout}: how long a connection may be unused before the server asks the
 * client to close it (GOAWAY); zero for ever. {@code inProcess}: the name the server listens on in
 * this JVM instead of a TCP port, or null. {@code interceptors} in the order added.
 * {@code adminPort}: the loopback port of the admin page (0: any free one), or -1 for none.
 * {@code passByReference}: in-process callers in this class loader may skip the codec.
 */
public record ServerConfig(String host, int port, Map<String, Service> services, Executor executor,
        Codec codec, int maxFrameSize, Duration heartbeatInterval, Duration shutdownGracePeriod,
        boolean sendStackTraces, int ioThreads, Duration callTimeout, Limits limits, boolean describe,
        boolean compression, Security security, Duration idleTimeout, String inProcess,
        java.util.List<dev.hermod.intercept.Interceptor> interceptors, int adminPort, Deduplication deduplication,
        boolean passByReference) {

    /** What the server remembers of {@code @Deduplicated} calls: see {@code Server.Builder.deduplication}. */
    public record Deduplication(Duration window, int maxReplies, long maxBytes) {}

    /** A servant to bind, with the contract it is served as and its own authorization policy (or null). */
    public record Service(Class<?> contract, Object servant, dev.hermod.security.Authorizer policy) {}

    /**
     * Who may connect and call: TLS, the authenticator and the server-wide policy (each null if
     * not set), and whether unauthenticated clients may describe the services.
     */
    public record Security(dev.hermod.security.Tls tls, dev.hermod.security.Authenticator authenticator,
            dev.hermod.security.Authorizer authorizer, boolean describeUnauthenticated) {}

    /**
     * What peers may make the server hold, as set on the builder; 0 where the default applies
     * (it depends on the executor and the JVM, so the runtime works it out).
     */
    public record Limits(int maxInFlightPerConnection, int maxConcurrentCalls, int maxConcurrentCallsPerConnection,
            long maxRequestBytesPerConnection,
            long maxRequestBytes, long maxReplyBytesPerConnection, long maxReplyBytes, int minReadRate,
            Duration readGrace, Duration handshakeTimeout, int maxConnections, int maxConnectionsPerAddress) {}
}
