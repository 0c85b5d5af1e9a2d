package dev.hermod.examples.vm;

import dev.hermod.Remote;
import java.util.List;

/**
 * The disks attached to a virtual machine: a per-VM sub-resource, as in the oVirt API's
 * {@code vms/{id}/disks}. The lab's servant answers it
 * later, through the generated {@code DisksAsyncServant}; clients call it synchronously or through
 * the generated {@code DisksAsync}.
 */
@Remote
public interface Disks {
    /**
     * Lists the disks of a VM.
     *
     * @param vmId the VM's id
     * @return its disks, in a stable order
     * @throws NoSuchVm if no VM has that id
     */
    List<Disk> list(String vmId) throws NoSuchVm;
}
