package dev.hermod.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.Client;
import dev.hermod.Hermod;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scale scenario's server process: a real process that serves, then exits when told. */
final class ScaleServerProcessTest {

    @Test
    void serverProcess_servesThenExitsOnItsOwn_whenItsInputCloses() throws Exception {
        Process p = ScaleBenchmark.start();
        try {
            int port = ScaleBenchmark.port(p);
            try (Client client = Hermod.client("tcp://127.0.0.1:" + port)) {
                assertThat(client.proxy(ScaleBenchmark.Slow.class, "slow").work(42)).isEqualTo(42);
            }

            p.getOutputStream().close();

            // Before the fix the executor's threads kept the process alive until it was killed.
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("the process exited by itself").isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
