package dev.hermod.examples.vm;

import dev.hermod.Hermod;
import dev.hermod.Server;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running VM-management server with a simulated backend: the services {@value #VMS}
 * ({@link Vms}), {@value #DISKS} ({@link Disks}), {@value #NICS} ({@link Nics}) and
 * {@value #PERMISSIONS} ({@link Permissions}), over a fixed set of VMs with ids {@code vm-000},
 * {@code vm-001}, ..., generated deterministically: every third VM (starting with
 * {@code vm-000}) is down and the others are up; each has one to three disks, one or two NICs and
 * two permissions.
 *
 * <p>Every call takes the configured latency, as a real management backend would, without
 * holding a server thread while it waits: hundreds of calls can be in their latency at once. The
 * contracts say nothing of that: clients call them synchronously or through their asynchronous
 * companions.
 *
 * <pre>{@code
 * try (VmLab lab = VmLab.start(100, Duration.ofMillis(5));
 *         Client client = Hermod.client(lab.target())) {
 *     List<Vm> all = client.proxy(Vms.class, VmLab.VMS).list();          // waits for the answer
 *     AsyncResult<Vm> up = client.proxy(VmsAsync.class, VmLab.VMS).start(all.get(0).id());
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the server, letting calls in flight finish, and then the backend's
 * threads. Thread-safe.
 */
public final class VmLab implements AutoCloseable {
    /** The name of the {@link Vms} service. */
    public static final String VMS = "vms";
    /** The name of the {@link Disks} service. */
    public static final String DISKS = "disks";
    /** The name of the {@link Nics} service. */
    public static final String NICS = "nics";
    /** The name of the {@link Permissions} service. */
    public static final String PERMISSIONS = "permissions";

    private final Server server;
    private final ScheduledExecutorService backend;
    private final ExecutorService delivery;
    private final String target;

    private VmLab(Builder b) {
        backend = Executors.newScheduledThreadPool(2, daemon("vm-lab-backend"));
        delivery = Executors.newSingleThreadExecutor(daemon("vm-lab-events"));
        try {
            VmsImpl vms = new VmsImpl(b.vms, b.latency, b.actionTime, backend, new Subscribers(delivery));
            // The contracts are synchronous; the servants answer through their servant companions,
            // with a CompletionStage the backend completes later, or at once. No operation ever
            // blocks, so they run on the I/O threads, saving two thread hand-offs per call.
            Server.Builder sb = Hermod.server().host(b.host).port(b.port).directExecutor()
                    .add(VMS, VmsAsyncServant.class, vms)
                    .add(DISKS, DisksAsyncServant.class, vms::disks)
                    .add(NICS, NicsAsyncServant.class, vms::nics)
                    .add(PERMISSIONS, PermissionsAsyncServant.class, vms::permissions);
            if (b.admin >= 0) {
                sb.admin(b.admin);
            }
            server = sb.start();
        } catch (RuntimeException e) {
            backend.shutdownNow();
            delivery.shutdownNow();
            throw e;
        }
        target = "tcp://" + (b.host.contains(":") ? "[" + b.host + "]" : b.host) + ":" + server.port();
    }

    /**
     * Starts a lab on an ephemeral loopback port, with actions that take two seconds.
     *
     * @param vms the number of VMs
     * @param latency how long the backend takes to answer each call
     * @return the running lab
     */
    public static VmLab start(int vms, Duration latency) {
        return builder().vms(vms).latency(latency).start();
    }

    /**
     * Returns a builder with the defaults: 100 VMs, 5 ms latency, two-second actions, an
     * ephemeral port on 127.0.0.1.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the port the server listens on.
     *
     * @return the port
     */
    public int port() {
        return server.port();
    }

    /**
     * Returns the server the lab runs.
     *
     * @return the server
     */
    public Server server() {
        return server;
    }

    /**
     * Returns the address clients connect to, e.g. {@code tcp://127.0.0.1:40321}.
     *
     * @return the target for {@link Hermod#client(String)}
     */
    public String target() {
        return target;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            backend.shutdownNow();
            delivery.shutdown();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures a {@link VmLab}. Not thread-safe; {@link #start()} copies what it needs. */
    public static final class Builder {
        private int vms = 100;
        private Duration latency = Duration.ofMillis(5);
        private Duration actionTime = Duration.ofSeconds(2);
        private String host = "127.0.0.1";
        private int port;
        private int admin = -1;

        private Builder() {}

        /**
         * Serves the server's admin page on loopback at {@code port} ({@code Server.Builder.admin});
         * default: none.
         *
         * @param port 0 for any free port, or 1 to 65535
         * @return this builder
         */
        public Builder admin(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("admin port must be between 0 and 65535: " + port);
            }
            this.admin = port;
            return this;
        }

        /**
         * Sets the number of VMs; default 100.
         *
         * @param count at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is negative
         */
        public Builder vms(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("vms must not be negative: " + count);
            }
            this.vms = count;
            return this;
        }

        /**
         * Sets how long the backend takes to answer each call; default 5 ms.
         *
         * @param latency zero or more
         * @return this builder
         * @throws IllegalArgumentException if {@code latency} is negative
         */
        public Builder latency(Duration latency) {
            this.latency = nonNegative(latency, "latency");
            return this;
        }

        /**
         * Sets how long a start, stop or suspend takes; default 2 s. Each reports progress 20
         * times on its way.
         *
         * @param time zero or more
         * @return this builder
         * @throws IllegalArgumentException if {@code time} is negative
         */
        public Builder actionTime(Duration time) {
            this.actionTime = nonNegative(time, "actionTime");
            return this;
        }

        /**
         * Sets the address to listen on; default {@code 127.0.0.1}.
         *
         * @param host a host name or address
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Sets the port; default 0, a free port.
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if {@code port} is out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Starts the server.
         *
         * @return the running lab
         */
        public VmLab start() {
            return new VmLab(this);
        }

        private static Duration nonNegative(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative: " + d);
            }
            return d;
        }
    }
}
