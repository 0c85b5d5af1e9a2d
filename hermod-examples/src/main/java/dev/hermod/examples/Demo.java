package dev.hermod.examples;

import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.RemoteException;
import dev.hermod.Server;
import dev.hermod.ServiceNotFoundException;
import dev.hermod.examples.employees.Employees;
import dev.hermod.examples.employees.EmployeesImpl;
import dev.hermod.examples.employees.NoSuchEmployee;
import java.io.PrintStream;

/**
 * Hermod's demo program: starts a server on an ephemeral loopback port, calls it through a proxy
 * and prints what happened, including the failures a caller has to handle.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the demo, printing to {@code out}. */
    public static void run(PrintStream out) {
        try (Server server = Hermod.server()
                        .host("127.0.0.1")
                        .port(0)
                        .add("employees", Employees.class, new EmployeesImpl())
                        .start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            out.println("Hermod demo: server listening on " + server.address());

            Employees employees = client.proxy(Employees.class, "employees");
            out.println("getName(99)       -> " + employees.getName(99));

            try {
                employees.getName(5);
            } catch (NoSuchEmployee e) {
                out.println("getName(5)        -> NoSuchEmployee: " + e.getMessage() + " (number=" + e.number() + ")");
            }

            Employees asAlice = client.proxy(Employees.class, "employees",
                    CallOptions.defaults().withContext("user", "alice"));
            int number = asAlice.hire("Barbara Liskov");
            out.println("hire(...)         -> #" + number + " (the servant saw user=alice in the request context)");

            out.println("list()            -> " + employees.list().size() + " employees:");
            for (Employees.Employee e : employees.list()) {
                out.printf("                     #%-4d %s%n", e.number(), e.name());
            }

            try {
                employees.runPayroll();
            } catch (RemoteException e) {
                out.println("runPayroll()      -> RemoteException: " + e.remoteClassName() + ": "
                        + e.traceback().flatMap(t -> t.message()).orElse(""));
                out.println("                     remote traceback, first frame: "
                        + e.traceback().map(t -> t.frames().get(0).toString()).orElse("(none)"));
            }

            try {
                client.proxy(Employees.class, "payroll").list();
            } catch (ServiceNotFoundException e) {
                out.println("payroll service   -> " + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + " (status " + e.status() + ", safe to retry: " + e.isUnprocessed() + ")");
            }
            out.println("done: the server shuts down gracefully");
        } catch (NoSuchEmployee e) {
            throw new IllegalStateException("employee 99 is part of the demo data", e);
        }
    }
}
