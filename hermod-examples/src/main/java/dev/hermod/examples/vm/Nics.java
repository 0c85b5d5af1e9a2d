package dev.hermod.examples.vm;

import dev.hermod.Remote;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The network interfaces of a virtual machine: a per-VM sub-resource, as in the oVirt API's
 * {@code vms/{id}/nics}. Clients call the generated {@code NicsAsync} companion.
 */
@Remote
public interface Nics {
    /**
     * Lists the NICs of a VM.
     *
     * @param vmId the VM's id
     * @return its NICs, in a stable order
     * @throws NoSuchVm if no VM has that id
     */
    CompletionStage<List<Nic>> list(String vmId) throws NoSuchVm;
}
