package dev.hermod.examples.vm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.hermod.AsyncResult;
import dev.hermod.Client;

/**
 * The oVirt SDK's inventory scenario: list the VMs, then read the disks, NICs and permissions of
 * each. {@link #synchronous} makes one call after another through the synchronous contracts
 * ({@code Vms}, {@code Disks}, ...); {@link #asynchronous} starts every sub-resource call at once
 * through their asynchronous companions as soon as the list is in, so its critical path is two
 * calls long. The server cannot tell the two apart: its servants answer later either way.
 *
 * <p>{@code hermod demo} shows the two side by side, and {@code hermod-bench}'s {@code fanout}
 * scenario measures the asynchronous one against its ideal, twice the lab's latency; both run this
 * class, so that they measure the same calls.
 *
 * <pre>{@code
 * try (VmLab lab = VmLab.start(100, Duration.ofMillis(5));
 *         Client client = Hermod.client().target(lab.target()).connections(4).build()) {
 *     InventoryScenario scenario = new InventoryScenario(client, Duration.ofSeconds(60));
 *     InventoryScenario.Outcome run = scenario.asynchronous();   // 301 calls, two latencies long
 * }
 * }</pre>
 *
 * <p>Thread-safe, like the proxies it holds; the client is borrowed, not closed.
 */
public final class InventoryScenario {
    private final Vms vms;
    private final Disks disks;
    private final Nics nics;
    private final Permissions permissions;
    private final VmsAsync vmsAsync;
    private final DisksAsync disksAsync;
    private final NicsAsync nicsAsync;
    private final PermissionsAsync permissionsAsync;
    private final Duration limit;

    /**
     * One VM with its sub-resources.
     *
     * @param vm the VM as the list returned it
     * @param disks its disks
     * @param nics its network interfaces
     * @param permissions its permissions
     */
    public record Entry(Vm vm, List<Disk> disks, List<Nic> nics, List<Permission> permissions) {}

    /**
     * What one run found, how many calls it made and how long it took.
     *
     * @param inventory every VM read, in the list's order, with its sub-resources
     * @param calls the calls the run made: one list, then three per VM
     * @param nanos the run's wall time, from the first call to the last answer
     */
    public record Outcome(List<Entry> inventory, int calls, long nanos) {
        /**
         * Returns the wall time in milliseconds.
         *
         * @return {@link #nanos()} in milliseconds
         */
        public double millis() {
            return nanos / 1e6;
        }
    }

    /**
     * Creates the proxies the scenario calls through.
     *
     * @param client a client whose target is a {@link VmLab}'s; borrowed, not closed
     * @param limit the longest the asynchronous run waits for its answers
     */
    public InventoryScenario(Client client, Duration limit) {
        // The same services through their synchronous contracts and their asynchronous companions.
        this.vms = client.proxy(Vms.class, VmLab.VMS);
        this.disks = client.proxy(Disks.class, VmLab.DISKS);
        this.nics = client.proxy(Nics.class, VmLab.NICS);
        this.permissions = client.proxy(Permissions.class, VmLab.PERMISSIONS);
        this.vmsAsync = client.proxy(VmsAsync.class, VmLab.VMS);
        this.disksAsync = client.proxy(DisksAsync.class, VmLab.DISKS);
        this.nicsAsync = client.proxy(NicsAsync.class, VmLab.NICS);
        this.permissionsAsync = client.proxy(PermissionsAsync.class, VmLab.PERMISSIONS);
        this.limit = limit;
    }

    /**
     * Reads the inventory one call at a time, the first {@code max} VMs only.
     *
     * @param max the most VMs whose sub-resources are read
     * @return what the run found and how long it took
     * @throws Exception what a call threw
     */
    public Outcome synchronous(int max) throws Exception {
        long start = System.nanoTime();
        List<Vm> list = vms.list();
        List<Entry> inventory = new ArrayList<>();
        for (Vm vm : list.subList(0, Math.min(max, list.size()))) {
            inventory.add(new Entry(vm, disks.list(vm.id()), nics.list(vm.id()), permissions.list(vm.id())));
        }
        return new Outcome(inventory, 1 + 3 * inventory.size(), System.nanoTime() - start);
    }

    /**
     * Reads the inventory with every sub-resource call in flight at once.
     *
     * @return what the run found and how long it took
     * @throws java.util.concurrent.TimeoutException if the answers took longer than the limit
     * @throws Exception what a call threw (wrapped in an {@code ExecutionException} for the
     *     sub-resource calls)
     */
    public Outcome asynchronous() throws Exception {
        long start = System.nanoTime();
        List<Vm> list = vmsAsync.list().value();
        List<AsyncResult<List<Disk>>> d = new ArrayList<>(list.size());
        List<AsyncResult<List<Nic>>> n = new ArrayList<>(list.size());
        List<AsyncResult<List<Permission>>> p = new ArrayList<>(list.size());
        for (Vm vm : list) { // wait=False: start everything, wait for nothing yet
            d.add(disksAsync.list(vm.id()));
            n.add(nicsAsync.list(vm.id()));
            p.add(permissionsAsync.list(vm.id()));
        }
        CompletableFuture<List<List<Disk>>> allDisks = AsyncResult.all(d);
        CompletableFuture<List<List<Nic>>> allNics = AsyncResult.all(n);
        CompletableFuture<List<List<Permission>>> allPermissions = AsyncResult.all(p);
        CompletableFuture.allOf(allDisks, allNics, allPermissions).get(limit.toNanos(), TimeUnit.NANOSECONDS);
        long nanos = System.nanoTime() - start;
        List<Entry> inventory = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            inventory.add(new Entry(list.get(i), allDisks.join().get(i), allNics.join().get(i),
                    allPermissions.join().get(i)));
        }
        return new Outcome(inventory, 1 + 3 * list.size(), nanos);
    }
}
