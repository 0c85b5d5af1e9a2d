package dev.hermod.resolve;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One endpoint of a client as {@link dev.hermod.Client#endpoints()} shows it, at the moment it
 * was asked: what it is, whether it takes calls, how many it has outstanding and how fast it
 * has answered lately. Immutable.
 *
 * @param endpoint the endpoint, as the resolver last reported it
 * @param state whether calls go there
 * @param outstandingCalls calls sent there and waiting for their replies, plus calls waiting for
 *     one of its connections
 * @param recentLatency a moving average of the time its recent replies took, from the request
 *     being sent to the reply arriving; empty before the first reply
 * @since 0.3
 */
public record EndpointStatus(Endpoint endpoint, State state, int outstandingCalls, Optional<Duration> recentLatency) {
    /**
     * Checks the components.
     *
     * @param endpoint the endpoint
     * @param state whether calls go there
     * @param outstandingCalls calls waiting for a reply from it or for one of its connections
     * @param recentLatency the recent average reply time, if any
     */
    public EndpointStatus {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(recentLatency, "recentLatency");
    }

    /** Whether an endpoint takes calls. */
    public enum State {
        /** No connection is open, and none has failed: the next call it is picked for opens one. */
        IDLE,
        /** A connection is being opened, none is open. */
        CONNECTING,
        /** A connection is open: it takes calls. */
        READY,
        /**
         * Ejected: its last connection attempt failed. It gets no calls while its backoff runs
         * ({@link dev.hermod.Client.Builder#reconnectBackoff}); then the client tries to connect
         * again in the background (or, if no endpoint has a connection, with a call, which goes
         * to another endpoint if that fails), and re-admits it once a connection opens.
         */
        UNREACHABLE,
        /**
         * It gets no new calls, and calls in flight there finish: its server is going away
         * (GOAWAY), or the resolver removed it. A server that went away is tried again once its
         * connections have closed.
         */
        DRAINING
    }
}
