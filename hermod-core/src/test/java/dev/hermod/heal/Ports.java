package dev.hermod.heal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for tests that need one before a server listens on it, and cleaning up. */
final class Ports {
    private Ports() {}

    /** Closes what a test opened, skipping what it did not. */
    static void closeAll(dev.hermod.Client client, dev.hermod.Server... servers) {
        if (client != null) {
            client.close();
        }
        for (dev.hermod.Server s : servers) {
            if (s != null) {
                s.close();
            }
        }
    }

    /** A loopback port that nothing listens on now (the kernel chose it, and it was closed again). */
    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
