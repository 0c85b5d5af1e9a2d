package dev.hermod.examples.vm;

/**
 * The state of a virtual machine, named as the oVirt API names them. The {@code POWERING_UP},
 * {@code POWERING_DOWN} and {@code SAVING_STATE} states last while an action runs.
 */
public enum VmState {
    /** Not running. */
    DOWN,
    /** Being started. */
    POWERING_UP,
    /** Running. */
    UP,
    /** Being stopped. */
    POWERING_DOWN,
    /** Being suspended: its memory is being saved. */
    SAVING_STATE,
    /** Suspended: its memory is saved and it does not run. */
    SUSPENDED
}
