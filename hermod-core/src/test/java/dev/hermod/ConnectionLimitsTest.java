package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The server's connection limits of issue 14 item 3: each trips with a typed error on the client and
 * a log line on the server, while a client already connected keeps being served.
 */
final class ConnectionLimitsTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private static Client client(Server s) {
        return Hermod.client().target("tcp://127.0.0.1:" + s.port()).callTimeout(BOUND).build();
    }

    @Test
    void maxConnectionsPerAddress_refusesOneMore_othersServed() throws Exception {
        try (Server s = Hermod.server().host("0.0.0.0").maxConnectionsPerAddress(2)
                        .add("vault", Vault.class, new Vault.Impl()).start();
                Client first = client(s);
                Client second = client(s);
                Client third = client(s);
                LogCapture log = new LogCapture()) {
            first.proxy(Vault.class, "vault").write("k", "v");
            second.proxy(Vault.class, "vault").read("k");

            assertThatThrownBy(() -> third.proxy(Vault.class, "vault").read("k"))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("connection limit");

            assertThat(first.proxy(Vault.class, "vault").read("k")).isEqualTo("v");
            await().atMost(BOUND).until(() -> log.linesContaining("maxConnectionsPerAddress") >= 1);
            // another address is not affected by this one's limit
            try (Socket other = new Socket()) {
                other.bind(new InetSocketAddress("127.0.0.2", 0));
                other.connect(new InetSocketAddress("127.0.0.2", s.port()));
                other.setSoTimeout(10_000);
                other.getOutputStream().write(new byte[] {0x48, 0x52, 0x4d, 0x44, 0, 1, 0, 0});
                byte[] preamble = new byte[4];
                new DataInputStream(other.getInputStream()).readFully(preamble);
                assertThat(new String(preamble, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HRMD");
            }
        }
    }

    @Test
    void maxConnections_refusesOneMore_connectedClientServed() {
        try (Server s = Hermod.server().host("127.0.0.1").maxConnections(1)
                        .add("vault", Vault.class, new Vault.Impl()).start();
                Client first = client(s);
                Client second = client(s);
                LogCapture log = new LogCapture()) {
            first.proxy(Vault.class, "vault").write("k", "v");

            assertThatThrownBy(() -> second.proxy(Vault.class, "vault").read("k"))
                    .isInstanceOf(ConnectionException.class);

            assertThat(first.proxy(Vault.class, "vault").read("k")).isEqualTo("v");
            await().atMost(BOUND).until(() -> log.linesContaining("(maxConnections)") >= 1);
        }
    }

    @Test
    void handshakeTimeout_closesSilentConnection_othersServed() throws IOException {
        try (Server s = Hermod.server().host("127.0.0.1").handshakeTimeout(Duration.ofMillis(300))
                        .add("vault", Vault.class, new Vault.Impl()).start();
                Client bystander = client(s);
                LogCapture log = new LogCapture();
                Socket silent = new Socket("127.0.0.1", s.port())) {
            silent.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(silent.getInputStream());
            in.readFully(new byte[8]); // the server's preamble; this peer sends nothing back

            long started = System.nanoTime();
            while (in.read() != -1) {
                // the server's SETTINGS, then end of stream once the timeout closes it
            }

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
            assertThat(bystander.proxy(Vault.class, "vault").whoAmI()).isEqualTo("anonymous");
            await().atMost(BOUND).until(() -> log.linesContaining("no handshake within 300 ms") == 1);
        }
    }
}
