package dev.hermod.examples.vm;

import dev.hermod.Remote;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The disks attached to a virtual machine: a per-VM sub-resource, as in the oVirt API's
 * {@code vms/{id}/disks}. Clients call the generated {@code DisksAsync} companion.
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
    CompletionStage<List<Disk>> list(String vmId) throws NoSuchVm;
}
