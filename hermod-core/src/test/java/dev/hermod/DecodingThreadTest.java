package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.Probes.Probe;
import dev.hermod.Probes.ProbeFailure;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Decoding a reply runs user code (setters, constructors): never on a Hermod I/O thread. */
final class DecodingThreadTest {

    @Test
    void replies_decodedOffTheIoThreads() throws Exception {
        Probes servant = new Probes() {
            @Override
            public Probe probe(String value) {
                Probe p = new Probe();
                p.setValue(value);
                return p;
            }

            @Override
            public void fail(String value) throws ProbeFailure {
                throw new ProbeFailure(value);
            }
        };
        try (Server server = Hermod.server().host("127.0.0.1").add("probes", Probes.class, servant).start();
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
    void replyWaitedForOnAnIoThread_isDecodedElsewhere() throws Exception {
        Probes backendServant = new Probes() {
            @Override
            public Probe probe(String value) {
                try {
                    Thread.sleep(50); // the front's servant is waiting when the reply arrives
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Probe p = new Probe();
                p.setValue(value);
                return p;
            }

            @Override
            public void fail(String value) {}
        };
        try (Server backend = Hermod.server().host("127.0.0.1").add("probes", Probes.class, backendServant).start();
                Client toBackend = TestServers.client(backend)) {
            Probes.Async downstream = toBackend.proxy(Probes.Async.class, "probes");
            Probes front = new Probes() {
                @Override
                public Probe probe(String value) {
                    try { // runs on the front server's I/O thread (directExecutor), and waits there
                        return downstream.probe(value).get(10, TimeUnit.SECONDS);
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
                assertThat(client.proxy(Probes.class, "probes").probe("relayed").getValue()).isEqualTo("relayed");
                assertThat(Probes.DECODED_ON).hasSizeGreaterThanOrEqualTo(2)
                        .noneSatisfy(name -> assertThat(name).contains("-io-"));
            }
        }
    }
}
