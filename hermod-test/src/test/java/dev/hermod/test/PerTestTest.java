package dev.hermod.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.Server;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance extension: each test gets its own in-process server, with the servant state it starts with. */
final class PerTestTest {
    private static final Set<String> TARGETS = ConcurrentHashMap.newKeySet();

    @RegisterExtension
    final HermodExtension hermod = HermodExtension.inProcess()
            .add("greeter", Greeter.class, new GreeterImpl("Hi"))
            .client(c -> c.callTimeout(Duration.ofSeconds(5)));

    @RepeatedTest(3)
    void freshServerEachTime(Greeter greeter, GreeterAsync async, Server server) throws Exception {
        assertThat(TARGETS.add(server.target())).as("a new server").isTrue();
        assertThat(server.target()).startsWith("inproc://");
        assertThat(greeter.count()).isZero();
        assertThat(greeter.greet("Grace")).isEqualTo("Hi, Grace");
        assertThat(async.count().value()).isEqualTo(1);
    }

    @Test
    void unknownContract_isRefused() {
        assertThatThrownBy(() -> hermod.proxy(Runnable.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no service is bound");
    }

    @Test
    void accessorsOutsideATest_sayWhy() {
        HermodExtension idle = HermodExtension.inProcess();
        assertThatThrownBy(idle::server).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only while the extension serves a test");
    }
}
