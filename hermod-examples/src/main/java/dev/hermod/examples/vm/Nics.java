package dev.hermod.examples.vm;

import dev.hermod.Remote;
import java.util.List;

/**
 * The network interfaces of a virtual machine: a per-VM sub-resource, as in the oVirt API's
 * {@code vms/{id}/nics}. The lab's servant answers it
 * later, through the generated {@code NicsAsyncServant}; clients call it synchronously or through
 * the generated {@code NicsAsync}.
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
    List<Nic> list(String vmId) throws NoSuchVm;
}
