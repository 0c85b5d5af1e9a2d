package dev.hermod.intercept;

import dev.hermod.Deduplicated;

/**
 * Read-only figures of one client or server, for metrics: what went over its connections, how
 * many are open, and what waits. {@link Interceptor#bind(Vitals)} hands it to the interceptors
 * registered on that client or server; a metrics library polls it (Micrometer's gauges and
 * function counters do). Counters only grow; the other figures are taken when read.
 *
 * <p>Thread-safe; each read is cheap but not free (it may walk the open connections), so poll it
 * at the pace of a metrics scrape, not per call.
 *
 * @since 0.3
 */
public interface Vitals {

    /**
     * Returns which side this is.
     *
     * @return {@code "client"} or {@code "server"}
     */
    String side();

    /**
     * Returns the bytes written to this side's connections so far (after TLS, where it is on).
     *
     * @return a count that only grows
     */
    long bytesSent();

    /**
     * Returns the bytes read from this side's connections so far.
     *
     * @return a count that only grows
     */
    long bytesReceived();

    /**
     * Returns the connections open now.
     *
     * @return the number of open connections
     */
    int openConnections();

    /**
     * Returns the bytes of frames held back by flow control now, on all connections: written once
     * the peer or the socket takes them.
     *
     * @return the backlog's size in bytes
     */
    long backlogBytes();

    /**
     * Returns the calls waiting for a connection with room now (a client's pool is at its
     * limits); always 0 on a server.
     *
     * @return the number of waiting calls
     */
    int callsWaitingForConnection();

    /**
     * Returns how many times calls were sent again after a failure so far ({@code maxAttempts});
     * always 0 on a server.
     *
     * @return a count that only grows
     */
    long retries();

    /**
     * Returns how many calls of {@link Deduplicated} operations were answered with the reply of
     * their first run (or waited for it) instead of running again, so far; always 0 on a client.
     *
     * @return a count that only grows
     * @since 0.3
     */
    long deduplicatedReplays();

    /**
     * Returns how many replies of {@link Deduplicated} calls the server dropped before their
     * window ended, to stay within its bounds ({@code Server.Builder.deduplication}), so far;
     * always 0 on a client. A call sent again after its reply was dropped runs again: a count that
     * grows says the bounds are too small for the load.
     *
     * @return a count that only grows
     * @since 0.4
     */
    default long deduplicationEvictions() {
        return 0;
    }
}
