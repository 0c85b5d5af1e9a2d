package dev.hermod.examples.replicas;

import dev.hermod.examples.vm.Vm;
import dev.hermod.examples.vm.VmState;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One replica's inventory: the same VMs on every replica, generated from their number, each read
 * taking the configured latency, as a database round trip would. Thread-safe.
 */
final class VmInventoryImpl implements VmInventory {
    private final String replica;
    private final List<Vm> vms;
    private final Duration latency;

    VmInventoryImpl(String replica, int count, Duration latency) {
        this.replica = replica;
        this.latency = latency;
        this.vms = IntStream.range(0, count)
                .mapToObj(i -> new Vm(String.format("vm-%03d", i), "app-" + (i + 1),
                        i % 3 == 0 ? VmState.DOWN : VmState.UP, 1 + i % 4, 1024 << (i % 3),
                        "host-" + (char) ('a' + i % 3)))
                .toList();
    }

    @Override
    public InventorySnapshot snapshot() {
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new InventorySnapshot(replica, vms);
    }
}
