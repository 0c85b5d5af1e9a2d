package dev.hermod.examples.replicas;

import dev.hermod.examples.vm.Vm;
import java.util.List;

/**
 * The inventory as one replica read it.
 *
 * @param replica the name of the replica that answered, such as {@code replica-2}
 * @param vms every VM, ordered by id; the same on every replica
 */
public record InventorySnapshot(String replica, List<Vm> vms) {}
