package dev.hermod.examples.vm;

/**
 * A role a user holds on a virtual machine.
 *
 * @param user the user, e.g. {@code admin@internal}
 * @param role the role, e.g. {@code UserVmManager}
 */
public record Permission(String user, String role) {}
