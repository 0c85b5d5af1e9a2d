package dev.hermod.internal.dispatch;

/**
 * How much the peers of one server (or client) may make it hold, per connection and in all.
 *
 * @param maxInFlightPerConnection requests of one connection in dispatch at once, from admission
 *     until their reply is written (or, oneway, until they end); the connection's further frames
 *     wait undecoded and reading stops
 * @param maxConcurrentCalls requests running on the executor at once, over all connections, taken
 *     in turn from the connections that have some waiting
 * @param maxConcurrentCallsPerConnection requests of one connection running on the executor at
 *     once: its share, so that it cannot take every thread while others wait
 * @param maxRequestBytesPerConnection bytes of one connection's requests held: frames read and
 *     not yet decoded, and the estimated decoded size of those in dispatch; reading stops past it
 * @param maxRequestBytes the same over all connections; past it, connections holding request
 *     bytes are not read, and a request that would decode past it is refused
 * @param maxReplyBytesPerConnection bytes of replies to one connection handed to the transport
 *     and not yet written to the socket (the peer does not read them); no request of that
 *     connection is admitted past it, so reading stops
 * @param maxReplyBytes the same over all connections
 */
public record Limits(int maxInFlightPerConnection, int maxConcurrentCalls, int maxConcurrentCallsPerConnection,
        long maxRequestBytesPerConnection,
        long maxRequestBytes, long maxReplyBytesPerConnection, long maxReplyBytes) {

    /**
     * A request whose decoded size is estimated at most this is counted by its frame alone, not
     * by its decoded size, and never refused for the byte limits: counting it would cost more
     * than it holds.
     */
    static final long SMALL = 64 * 1024;

    public Limits {
        if (maxInFlightPerConnection < 1 || maxConcurrentCalls < 1 || maxConcurrentCallsPerConnection < 1
                || maxRequestBytesPerConnection < 1
                || maxRequestBytes < 1 || maxReplyBytesPerConnection < 1 || maxReplyBytes < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxInFlightPerConnection + ", "
                    + maxConcurrentCalls + ", " + maxConcurrentCallsPerConnection + ", " + maxRequestBytesPerConnection + ", " + maxRequestBytes + ", "
                    + maxReplyBytesPerConnection + ", " + maxReplyBytes);
        }
    }

    /** Requests of one connection in dispatch by default. */
    public static final int DEFAULT_IN_FLIGHT_PER_CONNECTION = 1024;

    /**
     * Requests running at once by default: the default pool's 64 threads, 1,024 of the default
     * virtual threads, and no limit on an executor of the application's (it has its own).
     *
     * @param owned the default executor, or null if the application gave one
     */
    public static int defaultConcurrentCalls(java.util.concurrent.ExecutorService owned) {
        if (owned == null) {
            return Integer.MAX_VALUE;
        }
        return owned instanceof java.util.concurrent.ThreadPoolExecutor ? Executors2.POOL_THREADS : 1024;
    }

    /** A quarter of the calls that may run at once: no connection takes the whole executor. */
    public static int defaultConcurrentCallsPerConnection(int maxConcurrentCalls) {
        return maxConcurrentCalls == Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(1, maxConcurrentCalls / 4);
    }

    /** A quarter of the maximum heap: 256 MiB with a 1 GiB heap. */
    public static long defaultRequestBytes() {
        return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    /** A quarter of {@code maxRequestBytes}: 64 MiB with a 1 GiB heap. */
    public static long defaultRequestBytesPerConnection(long maxRequestBytes) {
        return Math.max(1L << 20, maxRequestBytes / 4);
    }

    /** A quarter of the direct memory the JVM allows: 256 MiB when it allows 1 GiB. */
    public static long defaultReplyBytes() {
        long direct = io.netty.util.internal.PlatformDependent.maxDirectMemory();
        return Math.max(16L << 20, (direct > 0 ? direct : Runtime.getRuntime().maxMemory()) / 4);
    }

    /** 4 MiB of replies a peer has not read, per connection. */
    public static final long DEFAULT_REPLY_BYTES_PER_CONNECTION = 4L << 20;
}
