package dev.hermod.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.Client;
import dev.hermod.Server;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A static extension: one server over loopback TCP for the whole class, proxies injected by type or by name. */
final class PerClassTest {
    @RegisterExtension
    static final HermodExtension HERMOD = HermodExtension.overTcp()
            .add("hello", Greeter.class, new GreeterImpl("Hello"))
            .add("bonjour", Greeter.class, new GreeterImpl("Bonjour"));

    private static final AtomicReference<Server> SEEN = new AtomicReference<>();

    @AfterAll
    static void serverStillRuns_untilEveryTestAndThisMethodAreDone() {
        assertThat(SEEN.get()).isNotNull();
        assertThat(SEEN.get().isShutdown()).isFalse();
    }

    @Test
    void proxiesByServiceName(@Service("hello") Greeter hello, @Service("bonjour") GreeterAsync bonjour, Server server)
            throws Exception {
        assertThat(hello.greet("Ada")).isEqualTo("Hello, Ada");
        assertThat(bonjour.greet("Ada").value()).isEqualTo("Bonjour, Ada");
        assertThat(server.target()).startsWith("tcp://127.0.0.1:");
        SEEN.compareAndSet(null, server);
        assertThat(server).isSameAs(SEEN.get());
    }

    @Test
    void oneServerForTheClass(Server server, Client client) {
        SEEN.compareAndSet(null, server);
        assertThat(server).isSameAs(SEEN.get());
        assertThat(client.target()).hasToString(server.target());
    }

    @Test
    void ambiguousContract_isRefusedWithTheNames() {
        assertThatThrownBy(() -> HERMOD.proxy(Greeter.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[hello, bonjour]").hasMessageContaining("@Service");
    }
}
