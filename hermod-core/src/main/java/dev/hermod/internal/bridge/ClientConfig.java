package dev.hermod.internal.bridge;

import dev.hermod.codec.Codec;
import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.LoadBalancing;
import dev.hermod.resolve.NameResolver;
import java.net.URI;
import java.time.Duration;

/**
 * The settings of a client, as validated by {@code Client.Builder} and handed to
 * {@link Engine#newClient}. A null codec, callback or dispatch executor means the default; a null
 * {@code tls} plain TCP, null {@code credentials} none. {@code interceptors} in the order added.
 * The endpoints come from {@code endpoints} (a target that lists them; for {@code inproc://name},
 * the name as host) or, when {@code resolver} is set, from a resolver of {@code resolverTarget}.
 * {@code directCallbacks}: results are completed on the I/O thread that reads their reply.
 */
public record ClientConfig(String target, Codec codec, Duration callTimeout, Duration connectTimeout,
        Duration heartbeatInterval, int maxFrameSize, int ioThreads, java.util.concurrent.Executor callbackExecutor,
        int batchFlushSize, long maxQueuedBytes, int connections, int maxConnections,
        int maxOutstandingPerConnection, java.util.concurrent.Executor dispatchExecutor, boolean manualServing,
        boolean compression, int minReadRate, Duration readGrace, dev.hermod.security.Tls tls,
        dev.hermod.security.Credentials credentials, Healing healing,
        java.util.List<dev.hermod.intercept.Interceptor> interceptors, java.util.List<Endpoint> endpoints,
        NameResolver.Provider resolver, URI resolverTarget, LoadBalancing loadBalancing, int busyAt,
        Duration quietPeriod, Duration spinWait, boolean directCallbacks) {

    /** Whether the target is a server in this JVM ({@code inproc://name}). */
    public boolean inProcess() {
        return target.startsWith("inproc:");
    }
}
