package dev.hermod;

import dev.hermod.security.Authenticator;
import dev.hermod.security.Tls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.security.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS end to end over loopback, with a CA and certificates made at test time: a call on each
 * engine, each failure mode failing fast with a typed error (and one server log line), host name
 * verification, mutual TLS, certificates reloaded from their files, a ready SSLContext.
 */
final class TlsTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static TestCertificates ca;
    static TestCertificates otherCa;
    static TestCertificates.Issued server;

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.authority(dir, "main");
        otherCa = TestCertificates.authority(dir, "other");
        server = ca.server("server");
    }

    private static Server tlsServer(Tls tls) {
        return Hermod.server().host("127.0.0.1").tls(tls).add("vault", Vault.class, new Vault.Impl()).start();
    }

    private static Client client(String target, Tls tls) {
        Client.Builder b = Hermod.client().target(target).callTimeout(BOUND);
        return (tls == null ? b : b.tls(tls)).build();
    }

    @ParameterizedTest
    @EnumSource(value = Tls.Engine.class, names = {"OPENSSL", "JDK"})
    void call_overTls_succeedsOnEachEngine(Tls.Engine engine) {
        try (Server s = tlsServer(Tls.fromPem(server.chain(), server.key()).withEngine(engine));
                Client c = client("tls://localhost:" + s.port(), Tls.trusting(ca.caFile()).withEngine(engine))) {
            Vault v = c.proxy(Vault.class, "vault");
            v.write("k", "over TLS");

            assertThat(v.read("k")).isEqualTo("over TLS");
        }
    }

    @Test
    void plaintextClient_againstTlsServer_failsTyped_serverLogsOneLine() {
        try (Server s = tlsServer(Tls.fromPem(server.chain(), server.key()));
                Client c = client("tcp://127.0.0.1:" + s.port(), null);
                LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> c.proxy(Vault.class, "vault").whoAmI())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("does it require TLS");

            await().atMost(BOUND).until(() -> log.linesContaining("TLS handshake with") == 1);
            assertThat(log.text()).contains("does not speak TLS");
        }
    }

    @Test
    void tlsClient_againstPlaintextServer_failsNamingTls() {
        try (Server s = Hermod.server().host("127.0.0.1").add("vault", Vault.class, new Vault.Impl()).start();
                Client c = client("tls://localhost:" + s.port(), Tls.trusting(ca.caFile()))) {
            assertThatThrownBy(() -> c.proxy(Vault.class, "vault").whoAmI())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("does not speak TLS");
        }
    }

    @Test
    void serverSignedByAnotherCa_failsNamingTrust_serverLogsOneLine() {
        try (Server s = tlsServer(Tls.fromPem(server.chain(), server.key()));
                Client c = client("tls://localhost:" + s.port(), Tls.trusting(otherCa.caFile()));
                LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> c.proxy(Vault.class, "vault").whoAmI())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("TLS handshake")
                    .hasMessageContaining("not signed by a trusted authority");

            await().atMost(BOUND).until(() -> log.linesContaining("TLS handshake with") == 1);
        }
    }

    @Test
    void expiredServerCertificate_failsNamingExpiry() throws Exception {
        TestCertificates.Issued expired = ca.expiredServer("expired");
        try (Server s = tlsServer(Tls.fromPem(expired.chain(), expired.key()));
                Client c = client("tls://localhost:" + s.port(), Tls.trusting(ca.caFile()))) {
            assertThatThrownBy(() -> c.proxy(Vault.class, "vault").whoAmI())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("TLS handshake")
                    .hasMessageContaining("expired");
        }
    }

    @Test
    void certificateForAnotherHost_failsHostnameVerification_unlessTurnedOff() throws Exception {
        TestCertificates.Issued elsewhere = ca.serverFor("elsewhere", "db.example.com");
        try (Server s = tlsServer(Tls.fromPem(elsewhere.chain(), elsewhere.key()));
                Client c = client("tls://localhost:" + s.port(), Tls.trusting(ca.caFile()));
                Client lax = client("tls://localhost:" + s.port(),
                        Tls.trusting(ca.caFile()).withoutHostnameVerification())) {
            assertThatThrownBy(() -> c.proxy(Vault.class, "vault").whoAmI())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("does not name the host");

            assertThat(lax.proxy(Vault.class, "vault").whoAmI()).isEqualTo("anonymous");
        }
    }

    @Test
    void mutualTls_certificateSubjectIsThePrincipal() throws Exception {
        TestCertificates.Issued alice = ca.client("alice", "CN=alice,O=Hermod tests");
        try (Server s = Hermod.server().host("127.0.0.1")
                        .tls(Tls.fromPem(server.chain(), server.key()).withTrustedCertificates(ca.caFile())
                                .requireClientCertificate())
                        .authenticator(Authenticator.clientCertificate())
                        .add("vault", Vault.class, new Vault.Impl()).start();
                Client c = client("tls://localhost:" + s.port(),
                        Tls.trusting(ca.caFile()).withIdentity(alice.chain(), alice.key()))) {
            assertThat(c.proxy(Vault.class, "vault").whoAmI()).isEqualTo(alice.certificate().getSubjectX500Principal().getName());
        }
    }

    @Test
    void mutualTls_clientWithoutCertificate_isRefused() {
        try (Server s = tlsServer(Tls.fromPem(server.chain(), server.key()).withTrustedCertificates(ca.caFile())
                        .requireClientCertificate());
                Client c = client("tls://localhost:" + s.port(), Tls.trusting(ca.caFile()))) {
            assertThatThrownBy(() -> c.proxy(Vault.class, "vault").whoAmI())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("TLS handshake");
        }
    }

    @Test
    void certificateFilesReplaced_newHandshakesUseThem_openConnectionsKeepTheirs() throws Exception {
        Path chain = Files.copy(server.chain(), dir.resolve("reload.pem"));
        Path key = Files.copy(server.key(), dir.resolve("reload-key.pem"));
        try (Server s = tlsServer(Tls.fromPem(chain, key));
                Client old = client("tls://localhost:" + s.port(), Tls.trusting(ca.caFile()))) {
            Vault before = old.proxy(Vault.class, "vault");
            before.write("k", "v");
            try (Client rejected = client("tls://localhost:" + s.port(), Tls.trusting(otherCa.caFile()))) {
                assertThatThrownBy(() -> rejected.proxy(Vault.class, "vault").whoAmI())
                        .isInstanceOf(ConnectionException.class);
            }

            TestCertificates.Issued renewed = otherCa.server("renewed");
            Files.copy(renewed.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.chain(), chain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            await().atMost(BOUND).pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() -> {
                try (Client fresh = client("tls://localhost:" + s.port(), Tls.trusting(otherCa.caFile()))) {
                    return fresh.proxy(Vault.class, "vault").read("k").equals("v");
                }
            });
            assertThat(before.read("k")).isEqualTo("v"); // the open connection kept its handshake
        }
    }

    @Test
    void readySslContext_fromJdkKeyStores_works() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(ca.caFile())));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);

        try (Server s = tlsServer(Tls.fromPem(server.chain(), server.key()));
                Client c = client("tls://localhost:" + s.port(), Tls.of(clientContext))) {
            assertThat(c.proxy(Vault.class, "vault").whoAmI()).isEqualTo("anonymous");
        }
        assertThat(KeyManagerFactory.getDefaultAlgorithm()).isNotEmpty();
    }

    @Test
    void tlsSettings_forPlainTarget_refusedAtBuild() {
        assertThatThrownBy(() -> Hermod.client().target("tcp://localhost:1").tls(Tls.trusting(ca.caFile())).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tls://localhost:1");
    }
}
