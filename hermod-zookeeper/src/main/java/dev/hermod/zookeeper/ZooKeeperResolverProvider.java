package dev.hermod.zookeeper;

import dev.hermod.resolve.NameResolver;
import java.net.URI;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Resolves {@code zk://host:2181[,host2:2181]/path} targets: the servers registered as children
 * of {@code path} in that ZooKeeper ensemble (see {@link ZooKeeperRegistration} for the layout),
 * watched, so that a server registering or leaving is reported at its first watch event.
 * Found through {@link java.util.ServiceLoader} when this module is on the class path; or give
 * it to {@link dev.hermod.Client.Builder#resolver}. Each client opens its own ZooKeeper session,
 * closed with the client. Thread-safe.
 *
 * @since 0.3
 */
public final class ZooKeeperResolverProvider implements NameResolver.Provider {

    /** For {@link java.util.ServiceLoader}, and for {@link dev.hermod.Client.Builder#resolver}. */
    public ZooKeeperResolverProvider() {}

    @Override
    public String scheme() {
        return ZooKeeperTarget.SCHEME;
    }

    @Override
    public NameResolver newResolver(URI target, ScheduledExecutorService scheduler) {
        return new ZooKeeperNameResolver(ZooKeeperTarget.parse(target), scheduler);
    }
}
