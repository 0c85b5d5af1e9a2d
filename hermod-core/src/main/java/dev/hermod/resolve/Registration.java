package dev.hermod.resolve;

import dev.hermod.Server;

/**
 * Publishes a server in a registry that clients resolve (a ZooKeeper node, a Consul service) for
 * as long as the server takes new calls: the server's side of a {@link NameResolver}. Given to
 * {@link Server.Builder#register}; {@code hermod-zookeeper}'s {@code ZooKeeperRegistration} is
 * one.
 *
 * <p>Lifecycle: {@link #register} once the server listens, before {@link Server.Builder#start}
 * returns; {@link #deregister} once, as soon as the server begins to shut down
 * ({@link Server#shutdown()}, {@link Server#shutdownNow()} or {@link Server#close()}), before
 * it tells its clients to go elsewhere, so that resolvers stop reporting it while its calls
 * finish. A registration should also vanish by itself when the server's process dies (an
 * ephemeral node, a TTL). Implementations must be thread-safe.
 *
 * @since 0.3
 */
public interface Registration {

    /**
     * Publishes the server. If this throws, the server is shut down and
     * {@link Server.Builder#start} throws the exception.
     *
     * @param server the server, listening; {@link Server#address()} tells where
     * @throws Exception if the server could not be published
     */
    void register(Server server) throws Exception;

    /**
     * Withdraws the server, within a few seconds at most, and releases what the registration
     * holds. Called once; must not throw.
     */
    void deregister();
}
