package dev.hermod.examples.replicas;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.RpcException;
import dev.hermod.resolve.EndpointStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A replicated VM inventory: three replica processes ({@link Replica}, each a JVM of its own)
 * serve the {@link VmInventory} and register in ZooKeeper; one client reads the inventory through
 * {@code zk://HOST:PORT/hermod/vm-inventory-...} from three threads, without pause, while the
 * example kills {@code replica-2} (SIGKILL, as a crash) and then starts {@code replica-4}. It
 * prints which replica answered how many reads, by the phase the read started in, and how many
 * reads failed: none, because the reads are {@link dev.hermod.Idempotent}, so a read cut off by
 * the kill is sent again to another replica, and the killed replica is ejected at its first
 * failed connection, before ZooKeeper drops its node when its session expires.
 *
 * <pre>
 * java -cp hermod-examples/target/hermod-demo.jar dev.hermod.examples.replicas.ReplicatedInventory [--zookeeper HOST:PORT]
 * </pre>
 *
 * <p>With no {@code --zookeeper}, it starts a ZooKeeper in this JVM (Curator's
 * {@link TestingServer}) on a loopback port, so the example needs no setup. It runs for about ten
 * seconds, and never leaves a replica behind: they are stopped in a {@code finally} block, killed
 * by a shutdown hook if this JVM is stopped, and end by themselves when this JVM dies, whatever
 * the way (their standard input closes).
 */
public final class ReplicatedInventory {
    private static final int READERS = 3;
    private static final int VMS = 20;
    private static final Duration READ_LATENCY = Duration.ofMillis(10);
    /** Short, so that ZooKeeper drops a killed replica within seconds (an ensemble may raise it). */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(2);
    /** Each phase lasts at least this long, and until each replica that is up answered {@link #MIN_CALLS}. */
    private static final Duration MIN_PHASE = Duration.ofMillis(1500);
    private static final int MIN_CALLS = 10;
    /** Far beyond what a healthy run needs, so that a loaded machine is not mistaken for a failure. */
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Duration DROP_WAIT = Duration.ofSeconds(15);

    /** The phases of a run, in order. */
    public enum Phase {
        /** replica-1, -2 and -3 up. */
        THREE_REPLICAS("three replicas"),
        /** replica-2 killed. */
        KILLED("replica-2 killed"),
        /** replica-4 started. */
        ADDED("replica-4 added");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** How the table names it. */
        public String label() {
            return label;
        }
    }

    /**
     * What a run counted.
     *
     * @param calls for each phase, the reads each replica answered, by the phase the read started in
     * @param answered the reads answered
     * @param failed the reads that failed
     */
    public record Outcome(Map<Phase, Map<String, Integer>> calls, long answered, long failed) {}

    private ReplicatedInventory() {}

    /**
     * Runs the example.
     *
     * @param args {@code [--zookeeper HOST:PORT[,HOST:PORT...]]}
     * @throws Exception if a replica or ZooKeeper could not start
     */
    public static void main(String[] args) throws Exception {
        String zookeeper = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--zookeeper") && i + 1 < args.length) {
                zookeeper = args[++i];
            } else if (args[i].startsWith("--zookeeper=")) {
                zookeeper = args[i].substring("--zookeeper=".length());
            } else {
                System.err.println("usage: ReplicatedInventory [--zookeeper HOST:PORT[,HOST:PORT...]]");
                System.err.println("  with no --zookeeper, starts one in this JVM");
                System.exit(args[i].equals("--help") || args[i].equals("-h") ? 0 : 2);
            }
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // ZooKeeper's INFO is chatty
            // and the embedded ZooKeeper warns that its connection limit is the default one
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper.server.ServerCnxnFactory", "error");
        }
        Outcome outcome = run(System.out, zookeeper);
        if (outcome.failed() > 0) {
            System.exit(1);
        }
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where the narrative and the table go
     * @param zookeeper the ZooKeeper connect string, or null to start one in this JVM
     * @return what it counted
     * @throws Exception if a replica or ZooKeeper could not start
     */
    public static Outcome run(PrintStream out, String zookeeper) throws Exception {
        List<Replica> replicas = new CopyOnWriteArrayList<>();
        Thread killReplicas = new Thread(() -> replicas.forEach(Replica::destroy), "replicas-killer");
        Runtime.getRuntime().addShutdownHook(killReplicas);
        TestingServer embedded = null;
        try {
            if (zookeeper == null) {
                // Ticks of 200 ms rather than 2 s, so that the 2 s sessions of the replicas are allowed.
                embedded = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 200, -1), true);
                zookeeper = embedded.getConnectString();
                out.println("ZooKeeper: started in this JVM (Curator's TestingServer) at " + zookeeper
                        + "; --zookeeper HOST:PORT uses yours");
            } else {
                out.println("ZooKeeper: " + zookeeper);
            }
            String path = "/hermod/vm-inventory-" + UUID.randomUUID().toString().substring(0, 8);
            String target = "zk://" + zookeeper + path;
            Map<Integer, String> names = new ConcurrentHashMap<>();
            for (int i = 1; i <= 3; i++) {
                replicas.add(Replica.launch("replica-" + i, target, SESSION_TIMEOUT, VMS, READ_LATENCY));
            }
            for (Replica replica : replicas) {
                ready(out, replica, path, names);
            }
            return read(out, target, replicas, names, path);
        } finally {
            replicas.forEach(Replica::beginClose); // graceful: each deregisters while ZooKeeper still runs
            for (Replica replica : replicas) {
                replica.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(killReplicas);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway, and finds the replicas gone
            }
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static void ready(PrintStream out, Replica replica, String path, Map<Integer, String> names)
            throws Exception {
        int port = replica.awaitReady(LIMIT);
        names.put(port, replica.name());
        out.printf("%s: pid %d, serving on 127.0.0.1:%d, registered under %s%n", replica.name(), replica.pid(), port,
                path);
    }

    private static Outcome read(PrintStream out, String target, List<Replica> replicas, Map<Integer, String> names,
            String path) throws Exception {
        try (Client client = Hermod.client().target(target).callTimeout(Duration.ofSeconds(10)).build()) {
            VmInventory inventory = client.proxy(VmInventory.class, Replica.SERVICE);
            boolean resolved = await(LIMIT, () -> client.endpoints().size() == 3);
            out.printf("client: %s, %s; %d threads read the inventory (%d VMs) in a loop%n", target,
                    resolved ? "3 endpoints" : "only " + client.endpoints().size() + " endpoints so far", READERS, VMS);
            Readers readers = new Readers(inventory);
            readers.start();
            try {
                long phaseStart = System.nanoTime();
                awaitPhase(readers, Phase.THREE_REPLICAS, phaseStart, List.of("replica-1", "replica-2", "replica-3"));

                Replica killed = replicas.get(1);
                killed.kill();
                readers.next(Phase.KILLED, phaseStart);
                long killedAt = System.nanoTime();
                out.printf("killed %s (pid %d) with destroyForcibly%n", killed.name(), killed.pid());
                int killedPort = portOf(names, killed.name());
                if (await(DROP_WAIT,
                        () -> client.endpoints().stream().noneMatch(e -> e.endpoint().port() == killedPort))) {
                    out.printf(Locale.ROOT,
                            "ZooKeeper dropped %s's node %.1f s after the kill, when its session expired%n",
                            killed.name(), (System.nanoTime() - killedAt) / 1e9);
                } else {
                    out.printf("%s is still registered %d s after the kill (the ensemble's session timeout is "
                            + "longer); the client has ejected it meanwhile%n", killed.name(), DROP_WAIT.toSeconds());
                }
                awaitPhase(readers, Phase.KILLED, killedAt, List.of("replica-1", "replica-3"));

                readers.next(Phase.ADDED, killedAt);
                long addedAt = System.nanoTime();
                Replica added = Replica.launch("replica-4", target, SESSION_TIMEOUT, VMS, READ_LATENCY);
                replicas.add(added);
                ready(out, added, path, names);
                awaitPhase(readers, Phase.ADDED, System.nanoTime(), List.of("replica-1", "replica-3", "replica-4"));
                readers.next(null, addedAt);
            } finally {
                readers.stop();
            }
            printEndpoints(out, client.endpoints(), names);
            return report(out, readers);
        }
    }

    /** Lets a phase run for {@link #MIN_PHASE} at least, and until each of {@code up} answered enough. */
    private static void awaitPhase(Readers readers, Phase phase, long start, List<String> up)
            throws InterruptedException {
        await(LIMIT, () -> System.nanoTime() - start >= MIN_PHASE.toNanos()
                && up.stream().allMatch(name -> readers.calls(phase, name) >= MIN_CALLS));
    }

    private static int portOf(Map<Integer, String> names, String name) {
        return names.entrySet().stream().filter(e -> e.getValue().equals(name)).findFirst().orElseThrow().getKey();
    }

    private static void printEndpoints(PrintStream out, List<EndpointStatus> endpoints, Map<Integer, String> names) {
        out.println("the client's endpoints at the end:");
        for (EndpointStatus e : endpoints) {
            out.printf(Locale.ROOT, "  %-21s %-10s %-11s outstanding %d, recent latency %s%n", e.endpoint().address(),
                    names.getOrDefault(e.endpoint().port(), "?"), e.state(), e.outstandingCalls(),
                    e.recentLatency().map(d -> String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6)).orElse("-"));
        }
    }

    private static Outcome report(PrintStream out, Readers readers) {
        List<String> columns = List.of("replica-1", "replica-2", "replica-3", "replica-4");
        out.println("reads answered per replica, by the phase the read started in:");
        out.printf("  %-17s %7s", "", "lasted");
        columns.forEach(c -> out.printf(" %10s", c));
        out.println();
        Map<Phase, Map<String, Integer>> calls = new EnumMap<>(Phase.class);
        for (Phase phase : Phase.values()) {
            out.printf(Locale.ROOT, "  %-17s %5.1f s", phase.label(), readers.duration(phase) / 1e9);
            Map<String, Integer> row = new LinkedHashMap<>();
            for (String replica : columns) {
                boolean started = !(replica.equals("replica-4") && phase != Phase.ADDED);
                int n = readers.calls(phase, replica);
                out.printf(" %10s", started ? String.valueOf(n) : "-");
                if (started) {
                    row.put(replica, n);
                }
            }
            out.println();
            calls.put(phase, row);
        }
        out.printf("reads: %d answered, %d failed%n", readers.answered.get(), readers.failed.get());
        readers.failures.stream().limit(3).forEach(f -> out.println("  failed: " + f));
        return new Outcome(calls, readers.answered.get(), readers.failed.get());
    }

    /** Polls {@code condition} every 20 ms for up to {@code limit}; tells whether it held. */
    private static boolean await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The threads that read the inventory, and what they counted. */
    private static final class Readers {
        private final VmInventory inventory;
        private final Map<Phase, Map<String, AtomicInteger>> calls = new EnumMap<>(Phase.class);
        private final Map<Phase, Long> durations = new EnumMap<>(Phase.class);
        private final AtomicLong answered = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private volatile Phase phase = Phase.THREE_REPLICAS;

        Readers(VmInventory inventory) {
            this.inventory = inventory;
            for (Phase p : Phase.values()) {
                calls.put(p, new ConcurrentHashMap<>());
            }
        }

        void start() {
            for (int i = 0; i < READERS; i++) {
                Thread t = new Thread(this::readInALoop, "reader-" + (i + 1));
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        private void readInALoop() {
            for (Phase p; (p = phase) != null; ) { // the phase the read starts in
                try {
                    InventorySnapshot snapshot = inventory.snapshot();
                    if (snapshot.vms().size() != VMS) {
                        throw new IllegalStateException(snapshot.replica() + " listed " + snapshot.vms().size()
                                + " VMs, not " + VMS);
                    }
                    calls.get(p).computeIfAbsent(snapshot.replica(), r -> new AtomicInteger()).incrementAndGet();
                    answered.incrementAndGet();
                } catch (RpcException | IllegalStateException e) {
                    failed.incrementAndGet();
                    failures.add(e.toString());
                }
            }
        }

        /** Ends the current phase, begun at {@code start}, and begins {@code next} (null: the end). */
        synchronized void next(Phase next, long start) {
            durations.put(phase, System.nanoTime() - start);
            phase = next;
        }

        int calls(Phase p, String replica) {
            AtomicInteger n = calls.get(p).get(replica);
            return n == null ? 0 : n.get();
        }

        synchronized long duration(Phase p) {
            return durations.getOrDefault(p, 0L);
        }

        void stop() throws InterruptedException {
            phase = null;
            for (Thread t : threads) {
                t.join(LIMIT.toMillis()); // each read is bounded by its deadline
            }
        }
    }
}
