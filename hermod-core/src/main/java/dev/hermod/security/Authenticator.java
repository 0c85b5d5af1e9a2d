package dev.hermod.security;

import dev.hermod.Current;
import dev.hermod.Status;
import dev.hermod.Server;
import dev.hermod.Client;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Decides who a connection's client is, once per connection, during the handshake: set one with
 * {@link Server.Builder#authenticator(Authenticator)}. The principal it returns is what servants
 * read from {@link Current#principal()} and what {@link Authorizer}s judge.
 *
 * <p>Each connection is put to it once, whether or not its client sent credentials
 * ({@link Attempt#mechanism()} is {@code "none"} then, which {@link #clientCertificate()} accepts
 * when the client presented a trusted certificate). When it returns a principal, the connection is
 * authenticated. When it returns empty for a client that sent credentials (or throws), the
 * connection is closed and the client's calls fail with {@link Status#UNAUTHENTICATED}; for a
 * client that sent none, the connection stays open but unauthenticated: each of its calls fails
 * with {@code UNAUTHENTICATED}, except {@link Client#describe()} when the server allows it
 * ({@link Server.Builder#describeUnauthenticated(boolean)}).
 *
 * <pre>{@code
 * Server server = Hermod.server()
 *         .tls(Tls.fromPem(chain, key))
 *         .authenticator(Authenticator.passwords((user, password) -> users.check(user, password))
 *                 .orElse(Authenticator.bearerTokens(tokens::lookup)))
 *         ...
 * }</pre>
 *
 * <p>Called off the I/O threads, on the server's own executor; it may block briefly (a lookup in
 * a user database), but the connection's handshake must finish within the server's handshake
 * timeout. Must be thread-safe. Never log the secret it is shown.
 *
 * @since 0.2
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Authenticates one connection.
     *
     * @param attempt what the client presented
     * @return who the client is, or empty to refuse
     * @throws Exception to refuse, with a reason logged by the server (never sent to the client)
     */
    Optional<Principal> authenticate(Attempt attempt) throws Exception;

    /**
     * Returns an authenticator that asks this one first and {@code next} when this one returns
     * empty (or the mechanism is not its own).
     *
     * @param next the authenticator to ask next
     * @return the combined authenticator
     */
    default Authenticator orElse(Authenticator next) {
        Objects.requireNonNull(next, "next");
        return attempt -> {
            Optional<Principal> p = authenticate(attempt);
            return p.isPresent() ? p : next.authenticate(attempt);
        };
    }

    /**
     * Checks user names and passwords ({@link Credentials#password}); the principal is named after
     * the user. Other mechanisms get empty.
     *
     * @param check tells whether a password is the user's; the array is cleared after it returns
     * @return the authenticator
     */
    static Authenticator passwords(BiPredicate<String, char[]> check) {
        Objects.requireNonNull(check, "check");
        return attempt -> {
            Optional<String> user = attempt.username();
            if (user.isEmpty()) {
                return Optional.empty();
            }
            char[] password = attempt.password().orElseThrow();
            try {
                return check.test(user.get(), password) ? Optional.of(principal(user.get())) : Optional.empty();
            } finally {
                java.util.Arrays.fill(password, '\0');
            }
        };
    }

    /**
     * Checks bearer tokens ({@link Credentials#bearerToken}). Other mechanisms get empty.
     *
     * @param lookup finds whom a token belongs to, or empty for an unknown or expired one
     * @return the authenticator
     */
    static Authenticator bearerTokens(Function<String, Optional<? extends Principal>> lookup) {
        Objects.requireNonNull(lookup, "lookup");
        return attempt -> attempt.bearerToken().flatMap(lookup).map(p -> (Principal) p);
    }

    /**
     * Accepts a client that presented a certificate trusted by the server's TLS settings (mutual
     * TLS, {@link Tls#withTrustedCertificates}); the principal is the certificate's subject
     * ({@link javax.security.auth.x500.X500Principal}). Connections without one get empty.
     *
     * @return the authenticator
     */
    static Authenticator clientCertificate() {
        return attempt -> attempt.peerCertificates().isEmpty() ? Optional.empty()
                : Optional.of(attempt.peerCertificates().get(0).getSubjectX500Principal());
    }

    /**
     * A principal that is a plain name, for authenticators of the application.
     *
     * @param name the name
     * @return a principal whose {@code getName()} is {@code name}; equal to another made from the same name
     */
    static Principal principal(String name) {
        return new NamedPrincipal(Objects.requireNonNull(name, "name"));
    }

    /**
     * What a client presented when its connection opened. Made by Hermod; thread-safe.
     *
     * @since 0.2
     */
    interface Attempt {

        /**
         * Returns the mechanism of the client's credentials.
         *
         * @return {@value Credentials#PASSWORD}, {@value Credentials#BEARER}, {@code "none"} when the
         *     client sent no credentials, or a mechanism of the application's ({@link Credentials#of})
         */
        String mechanism();

        /**
         * Returns the credentials as sent: for a mechanism of the application's.
         *
         * @return a copy; empty for {@code "none"}
         */
        byte[] data();

        /**
         * Returns the user name of password credentials.
         *
         * @return the name, or empty for another mechanism
         */
        default Optional<String> username() {
            byte[] d = data();
            if (!mechanism().equals(Credentials.PASSWORD) || d.length < 2) {
                return Optional.empty();
            }
            int n = ((d[0] & 0xFF) << 8) | (d[1] & 0xFF);
            return n > d.length - 2 ? Optional.empty() : Optional.of(new String(d, 2, n, StandardCharsets.UTF_8));
        }

        /**
         * Returns the password of password credentials.
         *
         * @return a fresh array the caller should clear, or empty for another mechanism
         */
        default Optional<char[]> password() {
            byte[] d = data();
            if (username().isEmpty()) {
                return Optional.empty();
            }
            int n = ((d[0] & 0xFF) << 8) | (d[1] & 0xFF);
            java.nio.CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(d, 2 + n, d.length - 2 - n));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            java.util.Arrays.fill(d, (byte) 0);
            return Optional.of(password);
        }

        /**
         * Returns the token of bearer credentials.
         *
         * @return the token, or empty for another mechanism
         */
        default Optional<String> bearerToken() {
            return mechanism().equals(Credentials.BEARER)
                    ? Optional.of(new String(data(), StandardCharsets.UTF_8)) : Optional.empty();
        }

        /**
         * Returns the certificate chain the client presented over TLS, already verified against
         * the server's trusted authorities.
         *
         * @return the chain, the client's own certificate first; empty without TLS or a client certificate
         */
        List<X509Certificate> peerCertificates();

        /**
         * Returns the client's address.
         *
         * @return the remote address of the connection
         */
        SocketAddress remoteAddress();
    }
}
