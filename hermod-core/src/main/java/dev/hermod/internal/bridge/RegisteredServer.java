package dev.hermod.internal.bridge;

import dev.hermod.Server;
import dev.hermod.health.HealthControl;
import dev.hermod.resolve.Registration;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server with {@link Registration}s: registers it once it listens, and withdraws it as soon as
 * its shutdown begins, before the server sends GOAWAY. Everything else is the server's.
 */
public final class RegisteredServer implements Server {
    private final Server server;
    private final List<Registration> registrations;
    private final AtomicBoolean deregistered = new AtomicBoolean();

    private RegisteredServer(Server server, List<Registration> registrations) {
        this.server = server;
        this.registrations = registrations;
    }

    /**
     * Registers {@code server} with each registration in turn; if one fails, withdraws those done,
     * shuts the server down and rethrows.
     *
     * @param server a started server
     * @param registrations where to publish it
     * @return the server, withdrawn when it shuts down
     */
    public static Server register(Server server, List<Registration> registrations) {
        if (registrations.isEmpty()) {
            return server;
        }
        for (int i = 0; i < registrations.size(); i++) {
            try {
                registrations.get(i).register(server);
            } catch (Exception e) {
                new RegisteredServer(server, registrations.subList(0, i)).close();
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException("could not register the server at " + server.target()
                        + ": " + e.getMessage(), e);
            }
        }
        return new RegisteredServer(server, List.copyOf(registrations));
    }

    private void deregister() {
        if (deregistered.compareAndSet(false, true)) {
            for (Registration registration : registrations) {
                registration.deregister();
            }
        }
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public String target() {
        return server.target();
    }

    @Override
    public void shutdown() {
        deregister();
        server.shutdown();
    }

    @Override
    public void shutdownNow() {
        deregister();
        server.shutdownNow();
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return server.awaitTermination(timeout);
    }

    @Override
    public boolean isShutdown() {
        return server.isShutdown();
    }

    @Override
    public void close() {
        deregister();
        server.close();
    }

    @Override
    public HealthControl health() {
        return server.health();
    }

    @Override
    public Optional<InetSocketAddress> adminAddress() {
        return server.adminAddress();
    }

    @Override
    public String toString() {
        return server.toString();
    }
}
