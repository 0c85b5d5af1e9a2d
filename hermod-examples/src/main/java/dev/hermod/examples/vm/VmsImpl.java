package dev.hermod.examples.vm;

import dev.hermod.Current;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The simulated management backend behind the VM lab's services: a fixed set of VMs generated
 * deterministically from their number, each call answered after the configured latency.
 *
 * <p>No call holds a thread while it waits: the servant implements the generated servant
 * companion {@link VmsAsyncServant} rather than the synchronous {@link Vms} contract, and every
 * answer is a {@link CompletableFuture} that the backend's scheduler completes when the latency
 * (or an action's next step) is due, so any number of calls can be in their latency at once. The
 * sub-resource services ({@link Disks}, {@link Nics}, {@link Permissions}) are served by
 * {@link #disks}, {@link #nics} and {@link #permissions}, each the one method of their own servant
 * companion. Thread-safe.
 */
final class VmsImpl implements VmsAsyncServant {
    /** Progress reports per action. */
    private static final int STEPS = 20;
    private static final String[] ROLES = {"web", "db", "cache", "build", "mail"};
    private static final String[] HOSTS = {"host-a", "host-b", "host-c"};

    private final Map<String, Machine> machines = new LinkedHashMap<>();
    private final ScheduledExecutorService backend;
    private final long latencyNanos;
    private final long stepNanos;
    private final Subscribers subscribers;

    /**
     * @param count the number of VMs
     * @param latency how long the backend takes to answer a call
     * @param actionTime how long a start, stop or suspend takes
     * @param backend completes the answers; shared, not owned
     * @param subscribers receives every state change
     */
    VmsImpl(int count, Duration latency, Duration actionTime, ScheduledExecutorService backend,
            Subscribers subscribers) {
        this.backend = backend;
        this.latencyNanos = latency.toNanos();
        this.stepNanos = actionTime.toNanos() / STEPS;
        this.subscribers = subscribers;
        for (int i = 0; i < count; i++) {
            Machine m = new Machine(i);
            machines.put(m.id, m);
        }
    }

    @Override
    public CompletionStage<List<Vm>> list() {
        return later(() -> machines.values().stream().map(Machine::snapshot).toList());
    }

    @Override
    public CompletionStage<Vm> get(String id) {
        return later(() -> machine(id).snapshot());
    }

    @Override
    public CompletionStage<List<VmStateChange>> history(String id) {
        return later(() -> machine(id).history());
    }

    /** {@link DisksAsyncServant#list}. */
    CompletionStage<List<Disk>> disks(String vmId) {
        return later(() -> machine(vmId).disks);
    }

    /** {@link NicsAsyncServant#list}. */
    CompletionStage<List<Nic>> nics(String vmId) {
        return later(() -> machine(vmId).nics);
    }

    /** {@link PermissionsAsyncServant#list}. */
    CompletionStage<List<Permission>> permissions(String vmId) {
        return later(() -> machine(vmId).permissions);
    }

    @Override
    public CompletionStage<Vm> start(String id) throws NoSuchVm, VmStateConflict {
        return act(id, Action.START);
    }

    @Override
    public CompletionStage<Vm> stop(String id) throws NoSuchVm, VmStateConflict {
        return act(id, Action.STOP);
    }

    @Override
    public CompletionStage<Vm> suspend(String id) throws NoSuchVm, VmStateConflict {
        return act(id, Action.SUSPEND);
    }

    @Override
    public CompletionStage<Void> subscribe(VmEvents listener) {
        subscribers.add(listener);
        return CompletableFuture.completedFuture(null); // answered at once: no backend involved
    }

    @Override
    public CompletionStage<Void> unsubscribe(VmEvents listener) {
        subscribers.remove(listener);
        return CompletableFuture.completedFuture(null);
    }

    private Machine machine(String id) throws NoSuchVm {
        Machine m = machines.get(id);
        if (m == null) {
            throw NoSuchVm.of(id);
        }
        return m;
    }

    private static String mac(int n, int nic) {
        return String.format("56:6f:%02x:%02x:%02x:%02x", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, nic);
    }

    /** What the backend answers once the latency has passed. */
    private interface Answer<T> {
        T get() throws NoSuchVm;
    }

    private <T> CompletableFuture<T> later(Answer<T> answer) {
        CompletableFuture<T> f = new CompletableFuture<>();
        backend.schedule(() -> {
            try {
                f.complete(answer.get());
            } catch (NoSuchVm | RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, latencyNanos, TimeUnit.NANOSECONDS);
        return f;
    }

    /**
     * Starts an action: the VM enters the action's transitional state at once, then the backend
     * steps through the action and reports progress. The caller's cancel cancels the returned
     * future, and the VM returns to the state it had before.
     */
    private CompletionStage<Vm> act(String id, Action action) throws NoSuchVm, VmStateConflict {
        Current current = Current.get(); // kept: the steps report progress from the backend's threads
        Machine m = machine(id);
        Run run;
        synchronized (m) {
            if (!action.from.contains(m.state)) {
                throw new VmStateConflict("cannot " + action.verb + " " + id + ": it is " + m.state, m.state);
            }
            run = new Run(m, action, m.state, current);
            m.change(action.via, action.verb);
        }
        run.done.whenComplete((vm, failure) -> {
            if (run.done.isCancelled()) {
                run.rollBack();
            }
        });
        run.step();
        return run.done;
    }

    /** One action in progress on one VM. */
    private final class Run {
        private final Machine machine;
        private final Action action;
        private final VmState before;
        private final Current current;
        private final CompletableFuture<Vm> done = new CompletableFuture<>();
        private int step; // guarded by machine

        Run(Machine machine, Action action, VmState before, Current current) {
            this.machine = machine;
            this.action = action;
            this.before = before;
            this.current = current;
        }

        void step() {
            Vm after;
            synchronized (machine) {
                if (done.isDone()) {
                    return; // canceled: rollBack has restored the state
                }
                if (step < STEPS) {
                    current.progress((double) step / STEPS, action.phase(step));
                    step++;
                    backend.schedule(this::step, stepNanos, TimeUnit.NANOSECONDS);
                    return;
                }
                current.progress(1.0, action.to.name().toLowerCase(java.util.Locale.ROOT));
                machine.change(action.to, action.verb);
                after = machine.snapshot();
            }
            // Outside the lock: completing sends the reply. A cancel that wins the race rolls back.
            done.complete(after);
        }

        void rollBack() {
            synchronized (machine) {
                machine.change(before, action.verb + " canceled at " + (step * 100 / STEPS) + "%");
            }
        }
    }

    /** What a start, stop or suspend does to a VM, and what it reports while it runs. */
    private enum Action {
        START("start", EnumSet.of(VmState.DOWN, VmState.SUSPENDED), VmState.POWERING_UP, VmState.UP,
                "allocating memory", "attaching disks", "loading firmware", "booting the kernel", "starting services"),
        STOP("stop", EnumSet.of(VmState.UP, VmState.SUSPENDED), VmState.POWERING_DOWN, VmState.DOWN,
                "sending ACPI shutdown", "stopping services", "flushing disks", "powering off"),
        SUSPEND("suspend", EnumSet.of(VmState.UP), VmState.SAVING_STATE, VmState.SUSPENDED,
                "pausing the CPUs", "saving memory", "writing the state to storage");

        final String verb;
        final Set<VmState> from;
        final VmState via;
        final VmState to;
        private final String[] phases;

        Action(String verb, Set<VmState> from, VmState via, VmState to, String... phases) {
            this.verb = verb;
            this.from = from;
            this.via = via;
            this.to = to;
            this.phases = phases;
        }

        String phase(int step) {
            return phases[step * phases.length / STEPS];
        }
    }

    /** One VM: fixed properties generated from its number, and its state. */
    private final class Machine {
        final String id;
        final String name;
        final int cpus;
        final int memoryMib;
        final String host;
        final List<Disk> disks;
        final List<Nic> nics;
        final List<Permission> permissions;
        private VmState state; // guarded by this
        private final List<VmStateChange> history = new ArrayList<>(); // guarded by this

        Machine(int n) {
            id = String.format("vm-%03d", n);
            name = ROLES[n % ROLES.length] + "-" + (n / ROLES.length + 1);
            cpus = 1 << (n % 3);
            memoryMib = 1024 * (1 + n % 4);
            host = HOSTS[n % HOSTS.length];
            state = n % 3 == 0 ? VmState.DOWN : VmState.UP;
            List<Disk> d = new ArrayList<>();
            d.add(new Disk(id + "-disk-1", name + "_boot", 20, "cow", true));
            for (int k = 2; k <= 1 + n % 3; k++) {
                d.add(new Disk(id + "-disk-" + k, name + "_data" + (k - 1), 50 * (1 + (n + k) % 4), "raw", false));
            }
            disks = List.copyOf(d);
            List<Nic> ns = new ArrayList<>();
            ns.add(new Nic(id + "-nic-1", "eth0", mac(n, 1), "ovirtmgmt"));
            if (n % 2 == 1) {
                ns.add(new Nic(id + "-nic-2", "eth1", mac(n, 2), "storage"));
            }
            nics = List.copyOf(ns);
            permissions = List.of(new Permission("admin@internal", "SuperUser"),
                    new Permission("user" + (n % 10) + "@example.com", "UserVmManager"));
        }

        synchronized Vm snapshot() {
            return new Vm(id, name, state, cpus, memoryMib, host);
        }

        synchronized List<VmStateChange> history() {
            return List.copyOf(history);
        }

        /** Records and announces a change; the caller holds the lock, so changes keep their order. */
        synchronized void change(VmState to, String reason) {
            VmStateChange c = new VmStateChange(id, state, to, reason, Instant.now());
            state = to;
            history.add(c);
            subscribers.publish(c);
        }
    }
}
