package dev.hermod.examples.vm;

import java.time.Instant;

/**
 * A change of a virtual machine's state: what {@link VmEvents} subscribers receive and what
 * {@link Vms#history(String)} lists.
 *
 * @param vmId the VM that changed
 * @param from the state before
 * @param to the state after
 * @param reason why, e.g. {@code start} or {@code start canceled at 40%}
 * @param at when the change happened, by the server's clock
 */
public record VmStateChange(String vmId, VmState from, VmState to, String reason, Instant at) {}
