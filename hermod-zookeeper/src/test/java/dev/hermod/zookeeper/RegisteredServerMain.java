package dev.hermod.zookeeper;

import dev.hermod.Hermod;
import dev.hermod.Server;
import java.time.Duration;

/**
 * A server in a process of its own, for the test that kills it: registers under
 * {@code args[0]} (a zk:// target) with a session timeout of {@code args[1]} ms, prints
 * {@code READY <port>} and waits to be killed.
 */
public final class RegisteredServerMain {
    private RegisteredServerMain() {}

    public static void main(String[] args) throws Exception {
        Server server = Hermod.server().host("127.0.0.1")
                .add("named", Named.class, () -> "process")
                .register(ZooKeeperRegistration.at(args[0])
                        .sessionTimeout(Duration.ofMillis(Long.parseLong(args[1]))))
                .start();
        System.out.println("READY " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
