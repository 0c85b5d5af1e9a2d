package dev.hermod.examples.vm;

import dev.hermod.Remote;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The roles users hold on a virtual machine: a per-VM sub-resource, as in the oVirt API's
 * {@code vms/{id}/permissions}. Clients call the generated {@code PermissionsAsync} companion.
 */
@Remote
public interface Permissions {
    /**
     * Lists the permissions of a VM.
     *
     * @param vmId the VM's id
     * @return its permissions, in a stable order
     * @throws NoSuchVm if no VM has that id
     */
    CompletionStage<List<Permission>> list(String vmId) throws NoSuchVm;
}
