package dev.hermod.examples.vm;

/**
 * A virtual machine as the {@link Vms} service lists it: a copy of its state when it was read.
 *
 * @param id the identifier, e.g. {@code vm-007}
 * @param name the display name, e.g. {@code web-2}
 * @param state the state when the VM was read
 * @param cpus the number of virtual CPUs
 * @param memoryMib the memory in MiB
 * @param host the hypervisor host it is placed on
 */
public record Vm(String id, String name, VmState state, int cpus, int memoryMib, String host) {}
