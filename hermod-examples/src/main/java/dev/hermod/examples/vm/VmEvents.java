package dev.hermod.examples.vm;

import dev.hermod.Remote;

/**
 * The listener a client passes to {@link Vms#subscribe(VmEvents)}: it lives in the client, and
 * the server calls it back over the client's connection (RPyC's events).
 */
@Remote
public interface VmEvents {
    /**
     * Called, oneway, when a VM changes state.
     *
     * @param change what changed
     */
    void stateChanged(VmStateChange change);
}
