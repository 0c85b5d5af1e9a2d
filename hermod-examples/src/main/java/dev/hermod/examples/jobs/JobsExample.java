package dev.hermod.examples.jobs;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.InvocationCanceledException;
import dev.hermod.Server;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The Parallels SDK's jobs in Hermod: start a long operation, watch its progress, wait for it,
 * and cancel another one half-way.
 */
public final class JobsExample {
    private JobsExample() {}

    public static void main(String[] args) throws Exception {
        run(System.out, 200);
    }

    public static void run(PrintStream out, long stepMillis) throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1")
                        .add("vms", new VirtualMachinesImpl(stepMillis, "web-1", "db-1")).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            VirtualMachinesAsync vms = client.proxy(VirtualMachinesAsync.class, "vms");

            // job = vm.start(); job.wait()
            AsyncResult<String> job = vms.start("web-1");
            job.onProgress(p -> out.printf("  web-1: %3d%% %s%n", p.percent(), p.message()));
            job.waitForCompleted();
            out.println("web-1 is " + job.value());

            // A second job, canceled while it runs: the server stops booting.
            AsyncResult<String> second = vms.start("db-1");
            second.waitForSent();
            Thread.sleep(stepMillis * 2);
            second.cancel();
            try {
                second.value();
            } catch (InvocationCanceledException e) {
                out.println("db-1 start canceled: " + e.getMessage());
            }
            VirtualMachines sync = client.proxy(VirtualMachines.class, "vms");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!"stopped".equals(sync.state("db-1")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            out.println("db-1 is " + sync.state("db-1"));
        }
    }
}
