package dev.hermod.internal.client;

import dev.hermod.codec.Codec;
import java.net.URI;
import java.time.Duration;

/** The settings of a client, as validated by {@code Client.Builder}. A null codec or callback executor means the default. */
public record ClientConfig(URI target, Codec codec, Duration callTimeout, Duration connectTimeout,
        Duration heartbeatInterval, int maxFrameSize, int ioThreads, java.util.concurrent.Executor callbackExecutor,
        int batchFlushSize, long maxQueuedBytes, int connections, int maxConnections,
        int maxOutstandingPerConnection) {}
