package dev.hermod.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.RpcException;
import dev.hermod.Server;
import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.LoadBalancing;
import dev.hermod.resolve.NameResolver;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * zk:// clients and registered servers against a real ZooKeeper (Curator's TestingServer, on
 * loopback, ticks of 200 ms so that a 2 s session can expire), servers in this JVM and one in a
 * process of its own.
 */
@Timeout(60)
final class ZooKeeperDiscoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestingServer zooKeeper;
    private static CuratorFramework curator;
    private static ScheduledExecutorService scheduler;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zooKeeper = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 200, -1), true);
        curator = CuratorFrameworkFactory.newClient(zooKeeper.getConnectString(), new RetryOneTime(100));
        curator.start();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopZooKeeper() throws IOException {
        scheduler.shutdownNow();
        curator.close();
        zooKeeper.close();
    }

    @AfterEach
    void closeWhatWasOpened() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private String target(String path) {
        return "zk://" + zooKeeper.getConnectString() + path;
    }

    private Server server(String path, String name) {
        Server server = Hermod.server().host("127.0.0.1")
                .add("named", Named.class, () -> name)
                .register(ZooKeeperRegistration.at(target(path)))
                .start();
        opened.add(server);
        return server;
    }

    private Named client(String path) {
        Client client = Hermod.client().target(target(path)).loadBalancing(LoadBalancing.ROUND_ROBIN).build();
        opened.add(client);
        return client.proxy(Named.class, "named");
    }

    /** Every set a resolver reports, in order. */
    private Reports resolve(String path) {
        NameResolver resolver = new ZooKeeperResolverProvider().newResolver(URI.create(target(path)), scheduler);
        Reports reports = new Reports();
        resolver.start(reports);
        opened.add(resolver);
        return reports;
    }

    private static final class Reports implements NameResolver.Listener {
        final BlockingQueue<List<Endpoint>> sets = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

        @Override
        public void onEndpoints(List<Endpoint> endpoints) {
            sets.add(endpoints);
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }

        List<Endpoint> next() throws InterruptedException {
            List<Endpoint> set = sets.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(set).as("a report within %s", WAIT).isNotNull();
            return set;
        }
    }

    private static Endpoint local(Server server) {
        return Endpoint.of("127.0.0.1", server.port());
    }

    @Test
    void resolver_reportsTheWholeSet_atEachWatchEvent() throws Exception {
        Reports reports = resolve("/hermod/watched");
        assertThat(reports.next()).as("the path does not exist yet").isEmpty();

        // A node written by hand, as a server in another language would.
        curator.create().creatingParentContainersIfNeeded()
                .forPath("/hermod/watched/by-hand", "{\"host\":\"127.0.0.1\",\"port\":5001,\"weight\":2}".getBytes(UTF_8));
        Endpoint byHand = new Endpoint("127.0.0.1", 5001, 2, Map.of());
        assertThat(reports.next()).containsExactly(byHand);

        Server server = server("/hermod/watched", "a");
        assertThat(reports.next()).containsExactlyInAnyOrder(byHand, local(server));

        curator.create().forPath("/hermod/watched/broken", "{\"host\":\"x\"}".getBytes(UTF_8));
        curator.create().forPath("/hermod/watched/other", "{\"host\":\"127.0.0.1\",\"port\":5002}".getBytes(UTF_8));
        assertThat(reports.next()).as("the broken node is left out")
                .containsExactlyInAnyOrder(byHand, local(server), Endpoint.of("127.0.0.1", 5002));

        curator.delete().forPath("/hermod/watched/by-hand");
        assertThat(reports.next()).containsExactlyInAnyOrder(local(server), Endpoint.of("127.0.0.1", 5002));
        assertThat(reports.errors).isEmpty();
    }

    @Test
    void resolver_ofAnEnsembleThatDoesNotAnswer_reportsAnError() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        NameResolver resolver = new ZooKeeperNameResolver(ZooKeeperTarget.parse("zk://127.0.0.1:" + port + "/hermod/none"),
                scheduler, Duration.ofMillis(500));
        opened.add(resolver);
        Reports reports = new Reports();
        resolver.start(reports);

        Throwable error = reports.errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(error).isInstanceOf(IOException.class)
                .hasMessageContaining("zk://127.0.0.1:" + port + "/hermod/none");
        assertThat(reports.sets).isEmpty();
    }

    @Test
    void client_spreadsCallsOverTheRegisteredServers_andPicksUpANewOne() {
        server("/hermod/spread", "a");
        server("/hermod/spread", "b");
        Named named = client("/hermod/spread");
        java.util.Set<String> seen = ConcurrentHashMap.newKeySet();
        await().atMost(WAIT).until(() -> seen.add(named.name()) && seen.size() == 2 || seen.size() == 2);

        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        for (int i = 0; i < 40; i++) {
            calls.computeIfAbsent(named.name(), n -> new AtomicInteger()).incrementAndGet();
        }
        assertThat(calls.keySet()).containsExactlyInAnyOrder("a", "b");
        assertThat(calls.values()).allSatisfy(n -> assertThat(n.get()).as("round-robin: 20 each, within 10")
                .isBetween(10, 30));

        server("/hermod/spread", "c");
        await().atMost(WAIT).until(() -> named.name().equals("c"));
    }

    @Test
    void serverThatDrains_leavesTheSetAtOnce_andNoCallFails() throws Exception {
        Server leaving = server("/hermod/drain", "leaving");
        server("/hermod/drain", "staying");
        Named named = client("/hermod/drain");
        await().atMost(WAIT).until(() -> named.name().equals("leaving"));

        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger callsLeft = new AtomicInteger(-1);
        AtomicBoolean stop = new AtomicBoolean();
        Thread load = new Thread(() -> {
            while (!stop.get()) {
                try {
                    String name = named.name();
                    if (callsLeft.get() > 0 && name.equals("staying")) {
                        callsLeft.decrementAndGet();
                    }
                } catch (RpcException e) {
                    failures.add(e);
                }
            }
        });
        load.start();
        try {
            leaving.shutdown();
            assertThat(curator.getChildren().forPath("/hermod/drain"))
                    .as("the node is gone when shutdown() returns").hasSize(1);
            callsLeft.set(50);
            await().atMost(WAIT).until(() -> callsLeft.get() == 0);
        } finally {
            stop.set(true);
            load.join();
        }
        assertThat(leaving.awaitTermination(WAIT)).isTrue();
        assertThat(failures).isEmpty();
        for (int i = 0; i < 10; i++) {
            assertThat(named.name()).isEqualTo("staying");
        }
    }

    @Test
    void serverThatCloses_deletesItsNode() throws Exception {
        Server server = server("/hermod/close", "a");
        assertThat(curator.getChildren().forPath("/hermod/close")).hasSize(1);
        String data = new String(curator.getData().forPath("/hermod/close/"
                + curator.getChildren().forPath("/hermod/close").get(0)), UTF_8);
        assertThat(data).contains("\"host\":\"127.0.0.1\"", "\"port\":" + server.port());

        server.close();

        assertThat(curator.getChildren().forPath("/hermod/close")).isEmpty();
    }

    @Test
    void registration_whoseSessionExpired_createsItsNodeAgain() throws Exception {
        Reports reports = resolve("/hermod/expired");
        assertThat(reports.next()).isEmpty();
        CuratorFramework own = CuratorFrameworkFactory.newClient(zooKeeper.getConnectString(),
                new ExponentialBackoffRetry(100, 10));
        own.start();
        opened.add(own);
        ZooKeeperRegistration registration = ZooKeeperRegistration.at(own, "/hermod/expired");
        Server server = Hermod.server().host("127.0.0.1").add("named", Named.class, () -> "a")
                .register(registration).start();
        opened.add(server);
        assertThat(reports.next()).containsExactly(local(server));

        expire(own.getZookeeperClient().getZooKeeper());

        assertThat(reports.next()).as("the node went with its session").isEmpty();
        assertThat(reports.next()).as("and is created again").containsExactly(local(server));
        assertThat(curator.getChildren().forPath("/hermod/expired")).hasSize(1);

        server.close();
        assertThat(reports.next()).isEmpty();
        assertThat(own.getState()).as("the application's client stays open").isEqualTo(CuratorFrameworkState.STARTED);
    }

    @Test
    void killedServerProcess_leavesTheSet_whenItsSessionExpires() throws Exception {
        Reports reports = resolve("/hermod/killed");
        assertThat(reports.next()).isEmpty();
        Server staying = server("/hermod/killed", "staying");
        assertThat(reports.next()).containsExactly(local(staying));

        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse(
                        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"),
                "-cp", System.getProperty("java.class.path"), RegisteredServerMain.class.getName(),
                target("/hermod/killed"), "2000")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        opened.add(process::destroyForcibly);
        int port = readyPort(process);
        Endpoint killed = Endpoint.of("127.0.0.1", port);
        assertThat(reports.next()).containsExactlyInAnyOrder(local(staying), killed);
        Named named = client("/hermod/killed");
        await().atMost(WAIT).until(() -> named.name().equals("process"));

        process.destroyForcibly();
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThat(reports.next()).as("the node expires with the session").containsExactly(local(staying));
        for (int i = 0; i < 10; i++) {
            assertThat(named.name()).isEqualTo("staying");
        }
    }

    /** Ends a client's session on the server, as its expiry does: closes a twin handle of the same session. */
    private static void expire(ZooKeeper client) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(zooKeeper.getConnectString(), 4000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, client.getSessionId(), client.getSessionPasswd());
        assertThat(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        twin.close();
    }

    private static int readyPort(Process process) throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("error " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        while (true) {
            String line = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(line).as("the server process says READY within %s", WAIT).isNotNull();
            if (line.startsWith("READY ")) {
                return Integer.parseInt(line.substring(6).trim());
            }
        }
    }
}
