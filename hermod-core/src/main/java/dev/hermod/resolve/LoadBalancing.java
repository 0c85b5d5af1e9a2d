package dev.hermod.resolve;

/**
 * How a client with several endpoints picks the one a call goes to
 * ({@link dev.hermod.Client.Builder#loadBalancing}). Every policy chooses only among endpoints
 * that can take calls: not unreachable (ejected after a failed connection, until a later attempt
 * succeeds), not draining (the server is going away, or the resolver removed it). Whatever the
 * policy, oneway calls and batches go to one endpoint while it can take them, so that they keep
 * their order; a call on an object reference goes to the server that holds the object; a
 * proxy made with {@link dev.hermod.Hermod#sticky} keeps to one endpoint.
 *
 * @since 0.3
 */
public enum LoadBalancing {
    /**
     * Picks two endpoints at random and sends the call to the one with fewer calls outstanding
     * (waiting for a reply or for a connection): spreads load evenly and steers it away from a
     * slow server, at the cost of two counts per call. The default.
     */
    POWER_OF_TWO_CHOICES,
    /** Takes the endpoints in turn, one call each, whatever their load. */
    ROUND_ROBIN,
    /**
     * Takes the endpoints in turn in proportion to their {@link Endpoint#weight() weights}
     * (smooth weighted round-robin: an endpoint of weight 3 gets three calls for each call of an
     * endpoint of weight 1, interleaved). Endpoints of weight 0 get calls only when no other can.
     */
    WEIGHTED
}
