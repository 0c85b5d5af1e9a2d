package dev.hermod.zookeeper;

import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.NameResolver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the children of one path (Curator's {@link CuratorCache}) and reports the endpoints in
 * their data, all of them, after each change. While the connection is lost the cache, and so
 * the client, keeps the last set; before a first set, a lost connection or none within the
 * connection timeout is reported as an error.
 */
final class ZooKeeperNameResolver implements NameResolver {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperNameResolver.class);

    private final ZooKeeperTarget target;
    private final ScheduledExecutorService scheduler;
    private final Set<String> invalidNodes = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private CuratorFramework client;
    private CuratorCache cache;
    private Listener listener;
    private List<Endpoint> reported;
    private boolean initialized;
    private boolean closed;

    private final Duration firstSetTimeout;

    ZooKeeperNameResolver(ZooKeeperTarget target, ScheduledExecutorService scheduler) {
        this(target, scheduler, Curators.CONNECTION_TIMEOUT);
    }

    /** With how long to wait for a first set before reporting an error, for tests. */
    ZooKeeperNameResolver(ZooKeeperTarget target, ScheduledExecutorService scheduler, Duration firstSetTimeout) {
        this.target = target;
        this.scheduler = scheduler;
        this.firstSetTimeout = firstSetTimeout;
    }

    @Override
    public void start(Listener listener) {
        synchronized (lock) {
            if (this.listener != null || closed) {
                throw new IllegalStateException("the resolver of " + target + " was started already");
            }
            this.listener = listener;
            client = Curators.newClient(target.connectString(), Curators.DEFAULT_SESSION_TIMEOUT);
            client.getConnectionStateListenable().addListener((c, state) -> {
                if (state == ConnectionState.LOST) {
                    failIfNothingYet("the connection to ZooKeeper at " + target.connectString() + " was lost");
                }
            });
            cache = CuratorCache.build(client, target.path());
            cache.listenable().addListener(CuratorCacheListener.builder()
                    .forAll((type, before, after) -> report(false))
                    .forInitialized(() -> report(true))
                    .build());
            client.start();
            cache.start();
        }
        scheduler.schedule(() -> failIfNothingYet((client.getZookeeperClient().isConnected()
                        ? "no answer from ZooKeeper at " : "no connection to ZooKeeper at ")
                        + target.connectString() + " within " + firstSetTimeout.toMillis() + " ms"),
                firstSetTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void report(boolean initialization) {
        List<Endpoint> endpoints;
        synchronized (lock) {
            if (closed) {
                return;
            }
            initialized |= initialization;
            if (!initialized) {
                return; // the initial nodes arrive one event each; report them together
            }
            endpoints = endpoints();
            if (endpoints.equals(reported)) {
                return;
            }
            reported = endpoints;
        }
        listener.onEndpoints(endpoints);
    }

    private List<Endpoint> endpoints() {
        List<ChildData> children = new ArrayList<>();
        cache.stream()
                .filter(d -> !d.getPath().equals(target.path())
                        && ZKPaths.getPathAndNode(d.getPath()).getPath().equals(target.path()))
                .forEach(children::add);
        children.sort(Comparator.comparing(ChildData::getPath));
        List<Endpoint> endpoints = new ArrayList<>(children.size());
        for (ChildData child : children) {
            try {
                endpoints.add(EndpointJson.read(child.getData()));
            } catch (IllegalArgumentException e) {
                if (invalidNodes.add(child.getPath())) {
                    log.warn("Ignoring the ZooKeeper node {} of {}: {}", child.getPath(), target, e.getMessage());
                }
            }
        }
        return List.copyOf(endpoints);
    }

    private void failIfNothingYet(String why) {
        synchronized (lock) {
            if (closed || reported != null) {
                return;
            }
        }
        listener.onError(new IOException("could not read the servers of " + target + ": " + why));
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (cache != null) {
            cache.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperNameResolver[" + target + "]";
    }
}
