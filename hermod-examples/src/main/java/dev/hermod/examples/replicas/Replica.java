package dev.hermod.examples.replicas;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.zookeeper.ZooKeeperRegistration;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One replica of the VM inventory in a JVM of its own: {@link #main} is the replica, the rest is
 * the handle of the process that launched it. The replica serves {@link VmInventory} on an
 * ephemeral loopback port, registers in ZooKeeper under a {@code zk://} target, prints
 * {@code READY <port>} and serves until its standard input ends: when the launcher closes it
 * ({@link #close()}: the replica deregisters and drains), or when the launcher dies, whatever
 * the way, since the pipe then closes too. So no replica outlives the example.
 *
 * <p>The handle reads the replica's output (its log included) in a thread of its own and keeps
 * its last lines, to show them if the replica fails to start. Thread-safe.
 */
final class Replica implements AutoCloseable {
    /** The service name the replicas serve {@link VmInventory} under. */
    static final String SERVICE = "inventory";
    private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
    /** The last lines of its output kept, for a failure's message. */
    private static final int MAX_KEPT = 100;

    private final String name;
    private final Process process;
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();
    private final List<String> output = new ArrayList<>();

    /**
     * The replica itself: {@code NAME ZK_TARGET SESSION_TIMEOUT_MS VMS LATENCY_MS}.
     *
     * @param args its name, where to register, its ZooKeeper session timeout, the number of VMs
     *     and the latency of a read
     * @throws Exception if it could not start or register
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Replica NAME ZK_TARGET SESSION_TIMEOUT_MS VMS LATENCY_MS");
            System.exit(2);
        }
        VmInventoryImpl inventory = new VmInventoryImpl(args[0], Integer.parseInt(args[3]),
                Duration.ofMillis(Long.parseLong(args[4])));
        try (Server server = Hermod.server().host("127.0.0.1")
                .add(SERVICE, VmInventory.class, inventory)
                .register(ZooKeeperRegistration.at(args[1])
                        .sessionTimeout(Duration.ofMillis(Long.parseLong(args[2]))))
                .start()) {
            System.out.println("READY " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the launcher closes our standard input, or dies
            }
        }
    }

    private Replica(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /**
     * Launches a replica with this JVM's {@code java} and class path; returns at once, see
     * {@link #awaitReady}.
     */
    static Replica launch(String name, String target, Duration sessionTimeout, int vms, Duration latency)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A small server: the quick JIT tier and the serial collector spare the CPU that four
        // JVMs and the client share.
        Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), Replica.class.getName(),
                name, target, String.valueOf(sessionTimeout.toMillis()), String.valueOf(vms),
                String.valueOf(latency.toMillis()))
                .redirectErrorStream(true)
                .start();
        Replica replica = new Replica(name, process);
        Thread reader = new Thread(replica::readOutput, name + "-output");
        reader.setDaemon(true);
        reader.start();
        return replica;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("READY ") && !ready.isDone()) {
                    ready.complete(Integer.parseInt(line.substring(6).trim()));
                } else {
                    synchronized (output) {
                        if (output.size() == MAX_KEPT) {
                            output.remove(0);
                        }
                        output.add(line);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IOException(name + " exited before it was ready"));
    }

    /**
     * Waits until the replica serves and is registered.
     *
     * @return the port it listens on
     * @throws IOException if it exited, or was not ready within {@code timeout}; the message
     *     holds what it printed
     */
    int awaitReady(Duration timeout) throws IOException, InterruptedException {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException(name + " did not start within " + timeout.toSeconds() + " s; it printed: "
                    + String.join(System.lineSeparator(), output()), e);
        }
    }

    /** Its name, such as {@code replica-2}. */
    String name() {
        return name;
    }

    /** Its process id. */
    long pid() {
        return process.pid();
    }

    /** The last lines it printed, besides its {@code READY} line. */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** Kills it as a crash would (SIGKILL: no deregistration, no GOAWAY) and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Kills it without waiting: for a shutdown hook. */
    void destroy() {
        process.destroyForcibly();
    }

    /** Tells it to stop gracefully, and returns at once: so that several replicas stop together. */
    void beginClose() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // it is gone already
        }
    }

    /**
     * Stops it gracefully (it deregisters and drains) by closing its standard input, and kills
     * it if it has not exited within a few seconds.
     */
    @Override
    public void close() throws InterruptedException {
        beginClose();
        if (!process.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
        }
    }
}
