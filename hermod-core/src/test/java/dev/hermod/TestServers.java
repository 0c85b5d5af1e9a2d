package dev.hermod;

/** Starts servers and clients for tests: loopback only, ephemeral ports. */
final class TestServers {
    private TestServers() {}

    static Server employees() {
        return Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl()).start();
    }

    static Client client(Server server) {
        return Hermod.client("tcp://127.0.0.1:" + server.port());
    }
}
