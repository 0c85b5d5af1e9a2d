package dev.hermod.examples.inventory;

import dev.hermod.Remote;
import java.util.List;

/** A management backend in the style of the oVirt API: VMs and their sub-resources. */
@Remote
public interface Inventory {
    List<String> vms();

    List<String> disks(String vm);

    List<String> nics(String vm);

    List<String> permissions(String vm);
}
