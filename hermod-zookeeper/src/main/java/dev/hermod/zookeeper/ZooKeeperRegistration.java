package dev.hermod.zookeeper;

import dev.hermod.Server;
import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.Registration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a server under a ZooKeeper path, where {@code zk://} clients of that path find it:
 *
 * <pre>{@code
 * Server server = Hermod.server()
 *         .port(4061)
 *         .add("vms", Vms.class, new VmsImpl())
 *         .register(ZooKeeperRegistration.at("zk://zk1:2181,zk2:2181/hermod/vms"))
 *         .start();
 * }</pre>
 *
 * <p>The server is one ephemeral sequential node {@code <path>/_c_<uuid>-endpoint-<sequence>}
 * (Curator's protected mode; parents created as container nodes when missing) whose data is
 * UTF-8 JSON {@code {"host":"10.0.0.7","port":4061,"weight":1,"attributes":{"zone":"a"}}}. Plain nodes
 * rather than Curator's service-discovery recipe: its data is Curator's own serialized
 * {@code ServiceInstance}, which a server in another language would have to imitate, while this
 * layout is written by hand in any ZooKeeper client. Curator's {@link PersistentNode} keeps it:
 * created again if the session expires while the server runs (a long pause, a network
 * partition). The node is deleted as soon as the server begins to drain or close, so that
 * clients stop sending before it goes, and ZooKeeper deletes it when the server's session
 * expires: its process died or lost the ensemble for longer than the
 * {@linkplain #sessionTimeout session timeout}.
 *
 * <p>Configure it before giving it to {@link Server.Builder#register}; it publishes one server,
 * once. Thread-safe.
 *
 * @since 0.3
 */
public final class ZooKeeperRegistration implements Registration {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistration.class);
    private static final Duration DELETE_WAIT = Duration.ofSeconds(3);

    private final ZooKeeperTarget target;
    private final CuratorFramework given;
    private String host;
    private int weight = 1;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private Duration sessionTimeout = Curators.DEFAULT_SESSION_TIMEOUT;
    private CuratorFramework client;
    private PersistentNode registered;
    private boolean used;

    private ZooKeeperRegistration(ZooKeeperTarget target, CuratorFramework given) {
        this.target = target;
        this.given = given;
    }

    /**
     * A registration under the path of a {@code zk://} target, through a ZooKeeper session of its
     * own, opened when the server starts and closed when it drains.
     *
     * @param target {@code zk://host:2181[,host2:2181]/path}, as the clients' target
     * @return the registration
     * @throws IllegalArgumentException if the target is not such a target
     */
    public static ZooKeeperRegistration at(String target) {
        return new ZooKeeperRegistration(ZooKeeperTarget.parse(target), null);
    }

    /**
     * A registration under {@code path} through a Curator client the application owns, started;
     * the registration neither starts nor closes it, and {@link #sessionTimeout} does not apply.
     *
     * @param client a started Curator client
     * @param path the path the clients watch, such as {@code /hermod/vms}
     * @return the registration
     */
    public static ZooKeeperRegistration at(CuratorFramework client, String path) {
        Objects.requireNonNull(client, "client");
        ZooKeeperTarget target = ZooKeeperTarget.parse("zk://" + client.getZookeeperClient().getCurrentConnectionString() + path);
        return new ZooKeeperRegistration(target, client);
    }

    /**
     * Sets the host clients connect to. Default: the host the server listens on, or, when it
     * listens on all interfaces, this machine's name ({@link InetAddress#getLocalHost()}).
     *
     * @param host a name or an address, IPv6 without brackets
     * @return this registration
     */
    public synchronized ZooKeeperRegistration host(String host) {
        Endpoint.of(Objects.requireNonNull(host, "host"), 1); // validates
        this.host = host;
        return this;
    }

    /**
     * Sets the weight published for {@link dev.hermod.resolve.LoadBalancing#WEIGHTED}. Default: 1.
     *
     * @param weight 0 or more
     * @return this registration
     */
    public synchronized ZooKeeperRegistration weight(int weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("negative weight " + weight);
        }
        this.weight = weight;
        return this;
    }

    /**
     * Adds an attribute published with the endpoint (a zone, a version).
     *
     * @param name the attribute's name
     * @param value its value
     * @return this registration
     */
    public synchronized ZooKeeperRegistration attribute(String name, String value) {
        attributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Sets the timeout of the registration's own ZooKeeper session: how long after the server's
     * process died (or lost the ensemble) its node remains. The ensemble bounds it (by default
     * 2 to 20 ticks of 2 s). Default: 30 s.
     *
     * @param timeout positive
     * @return this registration
     */
    public synchronized ZooKeeperRegistration sessionTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the session timeout must be positive: " + timeout);
        }
        this.sessionTimeout = timeout;
        return this;
    }

    /**
     * Returns the node this registration keeps: a new one after the session expired and the node
     * was created again.
     *
     * @return its path, or null before the server registered and after it deregistered
     */
    public synchronized String node() {
        return registered != null ? registered.getActualPath() : null;
    }

    @Override
    public synchronized void register(Server server) throws Exception {
        if (used) {
            throw new IllegalStateException("this ZooKeeperRegistration published a server already: make one per server");
        }
        used = true;
        Endpoint endpoint = new Endpoint(host != null ? host : hostOf(server.address()), server.port(), weight, attributes);
        client = given != null ? given : Curators.newClient(target.connectString(), sessionTimeout);
        if (given == null) {
            client.start();
        }
        registered = new PersistentNode(client, CreateMode.EPHEMERAL_SEQUENTIAL, true,
                target.path() + "/endpoint-", EndpointJson.write(endpoint));
        registered.start();
        try {
            if (!registered.waitForInitialCreate(Curators.CONNECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("could not register " + endpoint.address() + " under " + target
                        + " within " + Curators.CONNECTION_TIMEOUT.toSeconds() + " s");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            release();
            throw e;
        }
        log.info("Registered {} in ZooKeeper at {}{}", endpoint.address(), target.connectString(),
                registered.getActualPath());
    }

    private static String hostOf(InetSocketAddress address) throws UnknownHostException {
        InetAddress bound = address.getAddress();
        if (bound == null) {
            return address.getHostString();
        }
        if (bound.isAnyLocalAddress()) {
            return InetAddress.getLocalHost().getHostName();
        }
        return bound.getHostAddress();
    }

    @Override
    public void deregister() {
        release();
    }

    /** Deletes the node (waiting a few seconds at most), then closes the session if it is ours. */
    private synchronized void release() {
        if (registered != null) {
            PersistentNode node = registered;
            String path = node.getActualPath();
            registered = null;
            CompletableFuture<Void> deleted = CompletableFuture.runAsync(() -> {
                try {
                    node.close(); // deletes the node, retrying while the connection is down
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, runnable -> new Thread(runnable, "hermod-zookeeper-deregister").start());
            try {
                deleted.get(DELETE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                log.warn("Could not delete the ZooKeeper node {} of {} within {} s; it goes when the session ends",
                        path, target, DELETE_WAIT.toSeconds(), e);
            }
        }
        if (given == null && client != null) {
            client.close(); // ends the session: a node not deleted yet goes with it
            client = null;
        }
    }

    @Override
    public synchronized String toString() {
        return "ZooKeeperRegistration[" + target + (registered != null ? ", " + registered.getActualPath() : "") + "]";
    }
}
