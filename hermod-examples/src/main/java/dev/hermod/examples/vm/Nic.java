package dev.hermod.examples.vm;

/**
 * A network interface of a virtual machine.
 *
 * @param id the identifier, e.g. {@code vm-007-nic-1}
 * @param name the name inside the VM, e.g. {@code eth0}
 * @param mac the MAC address
 * @param network the logical network it is plugged into
 */
public record Nic(String id, String name, String mac, String network) {}
