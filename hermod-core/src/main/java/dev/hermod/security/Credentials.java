package dev.hermod.security;

import dev.hermod.Server;
import dev.hermod.Client;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a client presents to prove who it is, sent in the handshake of each connection to a server
 * that authenticates ({@link Server.Builder#authenticator(Authenticator)}); hand it to
 * {@link Client.Builder#credentials(Credentials)}. Send credentials only over TLS: they travel as
 * they are.
 *
 * <p>Built-ins: a user name and password ({@link #password}) and a bearer token
 * ({@link #bearerToken}); {@link #of} carries any other mechanism an {@link Authenticator} of the
 * application understands. A client with a certificate (mutual TLS, {@link Tls#withIdentity})
 * needs no credentials.
 *
 * <p>The secret never appears in {@link #toString()}, in log lines or in exception messages.
 * Immutable and thread-safe; the factories copy what they are given (clear your own arrays after).
 *
 * @since 0.2
 */
public final class Credentials {
    /** The mechanism of {@link #password}. */
    public static final String PASSWORD = "password";
    /** The mechanism of {@link #bearerToken}. */
    public static final String BEARER = "bearer";

    private final String mechanism;
    private final byte[] data;
    private final String shown;

    private Credentials(String mechanism, byte[] data, String shown) {
        this.mechanism = mechanism;
        this.data = data;
        this.shown = shown;
    }

    /**
     * A user name and password, checked by {@link Authenticator#passwords}.
     *
     * @param username the user name; not secret, it may appear in logs
     * @param password the password; copied
     * @return the credentials
     * @throws IllegalArgumentException if the user name is longer than 65,535 bytes in UTF-8
     */
    public static Credentials password(String username, char[] password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        if (user.length > 0xFFFF) {
            throw new IllegalArgumentException("user name too long: " + user.length + " bytes");
        }
        ByteBuffer secret = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] data = new byte[2 + user.length + secret.remaining()];
        data[0] = (byte) (user.length >>> 8);
        data[1] = (byte) user.length;
        System.arraycopy(user, 0, data, 2, user.length);
        secret.get(data, 2 + user.length, secret.remaining());
        if (secret.hasArray()) {
            Arrays.fill(secret.array(), (byte) 0);
        }
        return new Credentials(PASSWORD, data, "user " + username);
    }

    /**
     * A bearer token (an API key, an OAuth access token), checked by {@link Authenticator#bearerTokens}.
     *
     * @param token the token
     * @return the credentials
     */
    public static Credentials bearerToken(String token) {
        Objects.requireNonNull(token, "token");
        return new Credentials(BEARER, token.getBytes(StandardCharsets.UTF_8), "a bearer token");
    }

    /**
     * Credentials of another mechanism, for an {@link Authenticator} of the application that
     * understands it ({@link Authenticator.Attempt#mechanism()}, {@link Authenticator.Attempt#data()}).
     *
     * @param mechanism the mechanism's name: 1 to 64 characters, not {@code none}
     * @param data what the mechanism sends; copied
     * @return the credentials
     * @throws IllegalArgumentException if the name is empty, too long or {@code none}
     */
    public static Credentials of(String mechanism, byte[] data) {
        Objects.requireNonNull(mechanism, "mechanism");
        Objects.requireNonNull(data, "data");
        if (mechanism.isEmpty() || mechanism.length() > 64 || mechanism.equals("none")) {
            throw new IllegalArgumentException("invalid mechanism name: '" + mechanism + "'");
        }
        return new Credentials(mechanism, data.clone(), mechanism + " credentials");
    }

    /**
     * Returns the mechanism's name: {@value #PASSWORD}, {@value #BEARER} or one of the application's.
     *
     * @return the name
     */
    public String mechanism() {
        return mechanism;
    }

    /**
     * Returns the bytes sent in the handshake, secret included; for the runtime.
     *
     * @return a copy
     */
    public byte[] encoded() {
        return data.clone();
    }

    /** Says which mechanism, and the user name of a password, never the secret. */
    @Override
    public String toString() {
        return "Credentials[" + shown + "]";
    }
}
