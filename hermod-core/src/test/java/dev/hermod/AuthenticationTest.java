package dev.hermod;

import dev.hermod.security.Authenticator;
import dev.hermod.security.Authorizer;
import dev.hermod.security.Credentials;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Identity in the handshake: each built-in authenticator accepting and refusing, what an
 * unauthenticated connection may do, authorization per server and per service, and secrets kept
 * out of logs, messages and toString.
 */
final class AuthenticationTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String PASSWORD = "s3cret-Pa55word";
    private static final String TOKEN = "tok-9f8e7d6c5b4a";

    private static final Authenticator USERS = Authenticator.passwords(
            (user, password) -> user.equals("alice") && Arrays.equals(password, PASSWORD.toCharArray()));
    private static final Authenticator TOKENS = Authenticator.bearerTokens(
            token -> token.equals(TOKEN) ? Optional.of(Authenticator.principal("robot")) : Optional.empty());

    private static Server.Builder server() {
        return Hermod.server().host("127.0.0.1").add("vault", Vault.class, new Vault.Impl());
    }

    private static Client client(Server s, Credentials credentials) {
        Client.Builder b = Hermod.client().target("tcp://127.0.0.1:" + s.port()).callTimeout(BOUND);
        return (credentials == null ? b : b.credentials(credentials)).build();
    }

    private static Status status(Throwable t) {
        return ((RpcException) t).status();
    }

    @Test
    void password_accepted_principalReachesServant() {
        try (Server s = server().authenticator(USERS).start();
                Client c = client(s, Credentials.password("alice", PASSWORD.toCharArray()))) {
            assertThat(c.proxy(Vault.class, "vault").whoAmI()).isEqualTo("alice");
        }
    }

    @Test
    void password_wrong_failsUnauthenticated_secretNowhere() {
        try (Server s = server().authenticator(USERS).start();
                LogCapture log = new LogCapture();
                Client c = client(s, Credentials.password("alice", "wrong-guess".toCharArray()))) {
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> c.proxy(Vault.class, "vault").whoAmI());

            assertThat(t).isInstanceOf(RpcException.class);
            assertThat(status(t)).isEqualTo(Status.UNAUTHENTICATED);
            assertThat(((RpcException) t).isUnprocessed()).isTrue();
            assertThat(t.getMessage()).contains("refused").contains("user alice").doesNotContain("wrong-guess");
            await().atMost(BOUND).until(() -> log.linesContaining("refusing connection from") == 1);
            assertThat(log.text()).doesNotContain("wrong-guess");
        }
    }

    @Test
    void bearerToken_acceptedAndRefused() {
        try (Server s = server().authenticator(USERS.orElse(TOKENS)).start();
                Client good = client(s, Credentials.bearerToken(TOKEN));
                Client bad = client(s, Credentials.bearerToken("tok-forged"))) {
            assertThat(good.proxy(Vault.class, "vault").whoAmI()).isEqualTo("robot");

            assertThatThrownBy(() -> bad.proxy(Vault.class, "vault").whoAmI())
                    .satisfies(t -> assertThat(status(t)).isEqualTo(Status.UNAUTHENTICATED))
                    .satisfies(t -> assertThat(t.toString()).doesNotContain("tok-forged"));
        }
    }

    @Test
    void authenticatorThrowing_refusesTheConnection() {
        Authenticator broken = attempt -> {
            throw new IllegalStateException("directory down");
        };
        try (Server s = server().authenticator(broken).start();
                Client c = client(s, Credentials.password("alice", PASSWORD.toCharArray()))) {
            assertThatThrownBy(() -> c.proxy(Vault.class, "vault").whoAmI())
                    .satisfies(t -> assertThat(status(t)).isEqualTo(Status.UNAUTHENTICATED));
        }
    }

    @Test
    void noCredentials_callsRefused_describeOnlyWhenAllowed() throws Exception {
        try (Server strict = server().authenticator(USERS).start();
                Server open = server().authenticator(USERS).describeUnauthenticated(true).start();
                Client toStrict = client(strict, null);
                Client toOpen = client(open, null)) {
            assertThatThrownBy(() -> toStrict.proxy(Vault.class, "vault").whoAmI())
                    .satisfies(t -> assertThat(status(t)).isEqualTo(Status.UNAUTHENTICATED))
                    .hasMessageContaining("requires authentication");
            assertThatThrownBy(() -> toStrict.describe().get())
                    .hasCauseInstanceOf(RpcException.class)
                    .satisfies(t -> assertThat(status(t.getCause())).isEqualTo(Status.UNAUTHENTICATED));
            // an unknown service answers the same: nothing about what is bound leaks
            assertThatThrownBy(() -> toStrict.invoke("nothing-here", "op").get())
                    .satisfies(t -> assertThat(status(t.getCause())).isEqualTo(Status.UNAUTHENTICATED));

            assertThat(toOpen.describe().get()).extracting(d -> d.name()).contains("vault");
            assertThatThrownBy(() -> toOpen.proxy(Vault.class, "vault").read("k"))
                    .satisfies(t -> assertThat(status(t)).isEqualTo(Status.UNAUTHENTICATED));
        }
    }

    @Test
    void authorization_serverWideAndPerService_refuseOneOperationAllowAnother() {
        Authenticator both = Authenticator.passwords((u, p) -> Arrays.equals(p, PASSWORD.toCharArray()));
        Authorizer readOnlyBob = (principal, service, operation) ->
                !principal.getName().equals("bob") || !operation.equals("write");
        Authorizer aliceOnlyArchive = (principal, service, operation) -> principal.getName().equals("alice");
        try (Server s = server().authenticator(both).authorizer(readOnlyBob)
                        .add("archive", Vault.class, new Vault.Impl(), aliceOnlyArchive).start();
                Client bob = client(s, Credentials.password("bob", PASSWORD.toCharArray()));
                Client alice = client(s, Credentials.password("alice", PASSWORD.toCharArray()))) {
            Vault bobs = bob.proxy(Vault.class, "vault");
            assertThat(bobs.read("k")).isEmpty();
            assertThatThrownBy(() -> bobs.write("k", "v"))
                    .satisfies(t -> assertThat(status(t)).isEqualTo(Status.PERMISSION_DENIED))
                    .satisfies(t -> assertThat(((RpcException) t).isUnprocessed()).isTrue());
            assertThatThrownBy(() -> bob.proxy(Vault.class, "archive").read("k"))
                    .satisfies(t -> assertThat(status(t)).isEqualTo(Status.PERMISSION_DENIED));

            alice.proxy(Vault.class, "vault").write("k", "v");
            assertThat(alice.proxy(Vault.class, "archive").whoAmI()).isEqualTo("alice");
            assertThat(bobs.read("k")).isEqualTo("v");
        }
    }

    @Test
    void policyWithoutAuthenticator_refusedAtStart() {
        assertThatThrownBy(() -> server().authorizer((p, s, o) -> true).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("authenticator");
    }

    @Test
    void credentials_toString_showsNoSecret() {
        assertThat(Credentials.password("alice", PASSWORD.toCharArray()).toString())
                .contains("alice").doesNotContain(PASSWORD);
        assertThat(Credentials.bearerToken(TOKEN).toString()).doesNotContain(TOKEN);
        assertThat(Credentials.of("kerberos", TOKEN.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
                .contains("kerberos").doesNotContain(TOKEN);
    }

    @Test
    void customMechanism_reachesTheAuthenticator() {
        Authenticator custom = attempt -> attempt.mechanism().equals("otp")
                && new String(attempt.data(), java.nio.charset.StandardCharsets.UTF_8).equals("123456")
                ? Optional.of(Authenticator.principal("otp-user")) : Optional.empty();
        try (Server s = server().authenticator(custom).start();
                Client c = client(s, Credentials.of("otp", "123456".getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
            assertThat(c.proxy(Vault.class, "vault").whoAmI()).isEqualTo("otp-user");
        }
    }

    @Test
    void serverWithoutAuthenticator_ignoresCredentials_principalEmpty() {
        try (Server s = server().start();
                Client c = client(s, Credentials.password("alice", PASSWORD.toCharArray()))) {
            assertThat(c.proxy(Vault.class, "vault").whoAmI()).isEqualTo("anonymous");
        }
    }
}
