package dev.hermod.examples.vm;

/**
 * Thrown when a virtual machine's state does not allow an action: starting a VM that is up,
 * suspending one that is down, or any action while another one runs on it (oVirt answers such
 * requests with 409 Conflict).
 */
public class VmStateConflict extends Exception {
    private static final long serialVersionUID = 1L;
    /** The state that conflicted; travels with the exception. */
    private VmState state;

    /**
     * Used by Hermod to rebuild the exception on the client; the field is restored afterwards.
     *
     * @param message the detail message
     */
    public VmStateConflict(String message) {
        super(message);
    }

    VmStateConflict(String message, VmState state) {
        super(message);
        this.state = state;
    }

    /**
     * Returns the state the VM was in.
     *
     * @return the state that conflicted with the action
     */
    public VmState state() {
        return state;
    }
}
