package dev.hermod;

import java.io.PrintStream;

/**
 * A Hermod server in a JVM of its own, for tests that kill a server for real: it serves
 * {@link Employees} on 127.0.0.1 and an ephemeral port, prints {@code port <n>} once it listens
 * and {@code received <value>} whenever a {@code slowEcho} call reaches the servant, and exits
 * when its standard input closes (so it cannot outlive the test JVM that started it).
 */
final class FaultServerMain {
    private FaultServerMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Server server = Hermod.server()
                .host("127.0.0.1")
                // the fault tests hold 20 calls of one client in the servant at once, more than
                // a connection's default share of the JDK 17 pool (16)
                .maxConcurrentCallsPerConnection(64)
                .add("employees", Employees.class, new FaultEmployees(value -> {
                    synchronized (out) {
                        out.println("received " + value);
                        out.flush();
                    }
                }))
                .start();
        synchronized (out) {
            out.println("port " + server.port());
            out.flush();
        }
        while (System.in.read() != -1) {
            // wait for the parent to close the pipe, or die with it
        }
        server.shutdownNow();
    }
}
