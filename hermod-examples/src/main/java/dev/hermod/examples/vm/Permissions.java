package dev.hermod.examples.vm;

import dev.hermod.Remote;
import java.util.List;

/**
 * The roles users hold on a virtual machine: a per-VM sub-resource, as in the oVirt API's
 * {@code vms/{id}/permissions}. The lab's servant answers it
 * later, through the generated {@code PermissionsAsyncServant}; clients call it synchronously or through
 * the generated {@code PermissionsAsync}.
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
    List<Permission> list(String vmId) throws NoSuchVm;
}
