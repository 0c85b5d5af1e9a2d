package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link TransportBehaviours} in process, and what is particular to in-process servers: names,
 * their uniqueness, and the settings that have no meaning without a network.
 */
final class InProcessBehavioursTest extends TransportBehaviours {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Override
    Server.Builder listen(Server.Builder builder) {
        return builder.inProcess("behaviours-" + NAMES.incrementAndGet());
    }

    @Override
    String scheme() {
        return "inproc";
    }

    @Test
    void aNameIsHeldByOneServerAtATime_andFreedWhenItCloses() {
        try (Server first = Hermod.server().inProcess("taken").add("employees", Employees.class, new EmployeesImpl())
                .start()) {
            assertThatThrownBy(() -> Hermod.server().inProcess("taken").start())
                    .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(BindException.class)
                    .hasMessageContaining("taken");
            assertThat(first.target()).isEqualTo("inproc://taken");
        }
        try (Server again = Hermod.server().inProcess("taken").start()) {
            assertThat(again.target()).isEqualTo("inproc://taken");
        }
    }

    @Test
    void noServerUnderTheName_failsTheCall_withAConnectionError() {
        try (Client client = Hermod.client("inproc://nobody-here")) {
            Employees proxy = client.proxy(Employees.class, "employees");

            assertThatThrownBy(() -> proxy.getName(1)).isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("inproc://nobody-here");
        }
    }

    @Test
    void networkSettings_areRefused_withTheReason() {
        assertThatThrownBy(() -> Hermod.server().inProcess("x").port(4061).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no host, port or TLS");
        assertThatThrownBy(() -> Hermod.server().inProcess("bad name"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad name");
        assertThatThrownBy(() -> Hermod.client("inproc://x:4061"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inproc://name");
        try (Server server = Hermod.server().inProcess("no-port").start()) {
            assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inproc://no-port");
        }
    }
}
