package dev.hermod.examples.vm;

/**
 * A disk attached to a virtual machine.
 *
 * @param id the identifier, e.g. {@code vm-007-disk-1}
 * @param name the display name
 * @param sizeGib the provisioned size in GiB
 * @param format the image format, {@code cow} or {@code raw}
 * @param bootable whether the VM boots from it
 */
public record Disk(String id, String name, int sizeGib, String format, boolean bootable) {}
