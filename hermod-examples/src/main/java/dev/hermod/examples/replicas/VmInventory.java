package dev.hermod.examples.replicas;

import dev.hermod.Idempotent;
import dev.hermod.Remote;

/**
 * The read side of a VM inventory, served by every replica of it. Every operation only reads, so
 * the contract is {@link Idempotent}: a read that was sent to a replica that then died is sent
 * again, to another replica, within its deadline, instead of failing.
 */
@Remote
@Idempotent
public interface VmInventory {
    /**
     * Reads the whole inventory.
     *
     * @return the VMs, and which replica answered
     */
    InventorySnapshot snapshot();
}
