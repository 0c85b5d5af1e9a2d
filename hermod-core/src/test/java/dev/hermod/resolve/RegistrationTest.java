package dev.hermod.resolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.Remote;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link Server.Builder#register}: published once listening, withdrawn when the shutdown begins. */
final class RegistrationTest {
    /** What the registered server serves. */
    @Remote
    public interface Adder {
        int add(int a, int b);
    }

    /** Records what the server tells it, and whether the server still took calls at deregistration. */
    private static final class Recording implements Registration {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile Server server;

        @Override
        public void register(Server server) {
            this.server = server;
            events.add("register " + server.port() + (server.isShutdown() ? " shut down" : ""));
        }

        @Override
        public void deregister() {
            events.add("deregister" + (server.isShutdown() ? " after" : " before") + " the shutdown began");
        }
    }

    @Test
    void register_listening_thenDeregister_once_beforeTheShutdownBegins() throws Exception {
        Recording first = new Recording();
        Recording second = new Recording();
        Server server = Hermod.server().host("127.0.0.1").add("adder", Adder.class, (a, b) -> a + b)
                .register(first).register(second).start();
        try (Client client = Hermod.client(server.target())) {
            assertThat(client.proxy(Adder.class, "adder").add(1, 2)).isEqualTo(3);
        }
        assertThat(first.events).containsExactly("register " + server.port());

        server.shutdown();
        server.close();
        server.shutdownNow();

        assertThat(first.events).containsExactly("register " + server.port(), "deregister before the shutdown began");
        assertThat(second.events).isEqualTo(first.events);
        assertThat(server.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void registrationThatFails_failsStart_andShutsTheServerDown() throws Exception {
        Recording done = new Recording();
        Registration failing = new Registration() {
            @Override
            public void register(Server server) throws Exception {
                throw new java.io.IOException("registry unreachable");
            }

            @Override
            public void deregister() {
                throw new AssertionError("never registered");
            }
        };

        assertThatThrownBy(() -> Hermod.server().host("127.0.0.1").register(done).register(failing).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("registry unreachable")
                .hasCauseInstanceOf(java.io.IOException.class);

        assertThat(done.events).hasSize(2).last().isEqualTo("deregister before the shutdown began");
        assertThat(done.server.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }
}
