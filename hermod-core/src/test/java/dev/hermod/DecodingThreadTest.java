package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.Probes.Probe;
import dev.hermod.Probes.ProbeFailure;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Decoding a reply runs user code (setters, constructors): never on a Hermod I/O thread. */
final class DecodingThreadTest {

    /**
     * Answers a probe with its value, after {@code delayMillis}, and fails with a declared
     * exception when asked to.
     */
    private static final class Answering implements Probes {
        private final long delayMillis;

        Answering(long delayMillis) {
            this.delayMillis = delayMillis;
        }

        @Override
        public Probe probe(String value) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // canceled: the answer goes nowhere
            }
            Probe p = new Probe();
            p.setValue(value);
            return p;
        }

        @Override
        public void fail(String value) throws ProbeFailure {
            throw new ProbeFailure(value);
        }
    }

    @Test
    void replies_decodedOffTheIoThreads() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").add("probes", Probes.class, new Answering(0)).start();
                Client client = TestServers.client(server)) {
            assertThat(client.proxy(Probes.class, "probes").probe("sync").getValue()).isEqualTo("sync");
            assertThat(client.proxy(Probes.Async.class, "probes").probe("async").value().getValue()).isEqualTo("async");
            try {
                client.proxy(Probes.class, "probes").fail("declared");
            } catch (ProbeFailure expected) {
                assertThat(expected).hasMessage("declared");
            }
            // Server-side decoding runs on dispatch threads too; no entry may come from an I/O thread.
            assertThat(Probes.DECODED_ON).hasSizeGreaterThanOrEqualTo(6)
                    .noneSatisfy(name -> assertThat(name).contains("-io-"));
        }
    }

    @Test
    void waitingForAReplyOnAnIoThread_failsClearly_andDecodesNothingThere() throws Exception {
        // The backend takes its time, so the reply is never there before the front waits for it
        // (a preempted front thread could otherwise find it complete, and a complete result
        // does not make anyone wait).
        try (Server backend = Hermod.server().host("127.0.0.1").add("probes", Probes.class, new Answering(500))
                        .start();
                Client toBackend = TestServers.client(backend)) {
            Probes.Async downstream = toBackend.proxy(Probes.Async.class, "probes");
            Probes front = new Probes() {
                @Override
                public Probe probe(String how) { // runs on the front server's I/O thread (directExecutor)
                    AsyncResult<Probe> r = downstream.probe("downstream-" + how);
                    try {
                        return how.equals("join") ? r.toCompletableFuture().join() : r.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public void fail(String value) {}
            };
            try (Server frontServer = Hermod.server().host("127.0.0.1").directExecutor()
                            .add("probes", Probes.class, front).start();
                    Client client = TestServers.client(frontServer)) {
                Probes.DECODED_ON.clear();
                for (String how : new String[] {"get", "join"}) {
                    assertThatThrownBy(() -> client.proxy(Probes.class, "probes").probe(how))
                            .as(how).isInstanceOf(RemoteException.class)
                            .hasMessageContaining("would block a Hermod I/O thread");
                }
                // Nothing was decoded on an I/O thread (the downstream calls end with the
                // invocations that made them), and the front server keeps serving.
                assertThat(Probes.DECODED_ON).noneSatisfy(name -> assertThat(name).contains("-io-"));
                assertThatThrownBy(() -> client.proxy(Probes.class, "probes").probe("get"))
                        .hasMessageContaining("would block a Hermod I/O thread");
            }
        }
    }
}
