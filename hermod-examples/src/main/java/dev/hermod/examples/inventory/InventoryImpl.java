package dev.hermod.examples.inventory;

import java.util.List;
import java.util.stream.IntStream;

/** A simulated backend: every call takes {@code latencyMillis}, like a database round trip. */
public final class InventoryImpl implements Inventory {
    private final List<String> vms;
    private final long latencyMillis;

    public InventoryImpl(int vmCount, long latencyMillis) {
        this.vms = IntStream.range(0, vmCount).mapToObj(i -> String.format("vm-%03d", i)).toList();
        this.latencyMillis = latencyMillis;
    }

    private void backend() {
        try {
            Thread.sleep(latencyMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public List<String> vms() {
        backend();
        return vms;
    }

    @Override
    public List<String> disks(String vm) {
        backend();
        return List.of(vm + "-boot", vm + "-data");
    }

    @Override
    public List<String> nics(String vm) {
        backend();
        return List.of(vm + "-eth0");
    }

    @Override
    public List<String> permissions(String vm) {
        backend();
        return List.of("admin@internal:UserVmManager");
    }
}
