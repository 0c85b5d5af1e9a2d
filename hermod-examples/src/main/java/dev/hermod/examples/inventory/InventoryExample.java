package dev.hermod.examples.inventory;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The oVirt SDK's inventory scenario: list the VMs, then fetch the disks, NICs and permissions of
 * each, first synchronously, then by starting every request at once and waiting for all of them.
 */
public final class InventoryExample {
    private InventoryExample() {}

    /** What one run found and how long it took. */
    public record Outcome(Map<String, List<List<String>>> inventory, int calls, long millis) {}

    public static void main(String[] args) throws Exception {
        run(System.out, 100, 5);
    }

    public static Outcome[] run(PrintStream out, int vmCount, long latencyMillis) throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1")
                        .add("inventory", new InventoryImpl(vmCount, latencyMillis)).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Outcome sync = synchronous(client.proxy(Inventory.class, "inventory"));
            Outcome async = asynchronous(client.proxy(InventoryAsync.class, "inventory"));
            out.printf("inventory of %d VMs, %d ms per backend call%n", vmCount, latencyMillis);
            out.printf("  synchronous:  %4d calls in %5d ms%n", sync.calls(), sync.millis());
            out.printf("  asynchronous: %4d calls in %5d ms (%.1fx faster)%n", async.calls(), async.millis(),
                    (double) sync.millis() / Math.max(1, async.millis()));
            return new Outcome[] {sync, async};
        }
    }

    static Outcome synchronous(Inventory inventory) {
        long start = System.nanoTime();
        Map<String, List<List<String>>> result = new LinkedHashMap<>();
        List<String> vms = inventory.vms();
        for (String vm : vms) {
            result.put(vm, List.of(inventory.disks(vm), inventory.nics(vm), inventory.permissions(vm)));
        }
        return new Outcome(result, 1 + 3 * vms.size(), (System.nanoTime() - start) / 1_000_000);
    }

    static Outcome asynchronous(InventoryAsync inventory) throws Exception {
        long start = System.nanoTime();
        List<String> vms = inventory.vms().value();
        Map<String, List<AsyncResult<List<String>>>> futures = new LinkedHashMap<>();
        for (String vm : vms) { // wait=False: start everything, wait for nothing yet
            futures.put(vm, List.of(inventory.disks(vm), inventory.nics(vm), inventory.permissions(vm)));
        }
        Map<String, List<List<String>>> result = new LinkedHashMap<>();
        for (Map.Entry<String, List<AsyncResult<List<String>>>> e : futures.entrySet()) {
            List<List<String>> resources = new ArrayList<>();
            for (AsyncResult<List<String>> r : e.getValue()) {
                resources.add(r.value()); // future.wait()
            }
            result.put(e.getKey(), resources);
        }
        return new Outcome(result, 1 + 3 * vms.size(), (System.nanoTime() - start) / 1_000_000);
    }
}
