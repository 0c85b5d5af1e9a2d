package dev.hermod.security;

import dev.hermod.Server;
import dev.hermod.Client;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How a {@link Server} or a {@link Client} speaks TLS: its own certificate and key, the
 * certificate authorities it trusts, and the checks it makes of its peer. Hand one to
 * {@link Server.Builder#tls(Tls)} or {@link Client.Builder#tls(Tls)}.
 *
 * <pre>{@code
 * // server: its certificate chain and key, both PEM files
 * Server server = Hermod.server().tls(Tls.fromPem(chain, key)).add(...).start();
 * // client: trusts the authorities in ca.pem, checks that the server's certificate names the host
 * Client client = Hermod.client().target("tls://db.example.com:4061").tls(Tls.trusting(ca)).build();
 * }</pre>
 *
 * <p>Certificates and keys given as PEM files are read again when they change (checked at most
 * once a second, when a connection opens): a new TLS handshake uses the new files, open
 * connections keep the certificate they were made with, and a file that no longer reads (a
 * half-written key) is logged and the previous certificate kept. Keys are PKCS#8
 * ({@code BEGIN PRIVATE KEY}), unencrypted. With a ready {@link SSLContext} instead
 * ({@link #of(SSLContext)}), the application owns its keys and their renewal.
 *
 * <p><b>Which TLS engine.</b> With PEM files, Hermod uses BoringSSL through Netty's
 * {@code netty-tcnative-boringssl-static} when that library is on the class path and loads
 * (hermod-core brings it for Linux x86-64), and the JDK's own engine otherwise; an
 * {@code SSLContext} always runs on the JDK's engine. {@link #withEngine(Engine)} forces a choice.
 *
 * <p>The API names no Netty type on purpose (a Netty {@code SslContext} would tie every user to
 * Netty's version): {@link SSLContext} is the JDK's, and covers keys held in a hardware module or
 * a key store.
 *
 * <p>Immutable and thread-safe: each {@code with} method returns a copy.
 *
 * @since 0.2
 */
public final class Tls {

    /** The TLS implementation that runs the handshakes and the encryption. */
    public enum Engine {
        /** BoringSSL when {@code netty-tcnative-boringssl-static} loads, else the JDK's engine. */
        AUTO,
        /** BoringSSL through {@code netty-tcnative-boringssl-static}; starting fails if it does not load. */
        OPENSSL,
        /** The JDK's {@code javax.net.ssl} engine. */
        JDK
    }

    private final Path certificateChain;
    private final Path privateKey;
    private final Path trustedCertificates;
    private final SSLContext context;
    private final boolean requireClientCertificate;
    private final boolean hostnameVerification;
    private final Engine engine;

    private Tls(Path certificateChain, Path privateKey, Path trustedCertificates, SSLContext context,
            boolean requireClientCertificate, boolean hostnameVerification, Engine engine) {
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
        this.trustedCertificates = trustedCertificates;
        this.context = context;
        this.requireClientCertificate = requireClientCertificate;
        this.hostnameVerification = hostnameVerification;
        this.engine = engine;
    }

    /**
     * TLS with this side's certificate chain and private key: what a server needs, and what a
     * client presents for mutual TLS.
     *
     * @param certificateChain a PEM file: this side's certificate first, then its intermediates
     * @param privateKey a PEM file holding the certificate's private key (PKCS#8, unencrypted)
     * @return the settings
     */
    public static Tls fromPem(Path certificateChain, Path privateKey) {
        return new Tls(null, null, null, null, false, true, Engine.AUTO)
                .withIdentity(certificateChain, privateKey);
    }

    /**
     * TLS for a client that trusts the certificate authorities in a PEM file (instead of the JDK's
     * default ones), with no certificate of its own.
     *
     * @param trustedCertificates a PEM file of one or more CA certificates
     * @return the settings
     */
    public static Tls trusting(Path trustedCertificates) {
        return systemDefaults().withTrustedCertificates(trustedCertificates);
    }

    /**
     * TLS for a client that trusts the JDK's default certificate authorities. A client with a
     * {@code tls://} target and no {@code tls(...)} setting uses this.
     *
     * @return the settings
     */
    public static Tls systemDefaults() {
        return new Tls(null, null, null, null, false, true, Engine.AUTO);
    }

    /**
     * TLS from a ready JDK context, which holds the keys and trust decisions; it runs on the JDK's
     * engine. Hostname verification still applies on a client.
     *
     * @param context an initialized context
     * @return the settings
     */
    public static Tls of(SSLContext context) {
        return new Tls(null, null, null, Objects.requireNonNull(context, "context"), false, true, Engine.JDK);
    }

    /**
     * Returns a copy with this side's certificate chain and key (mutual TLS, for a client).
     *
     * @param certificateChain a PEM file, this side's certificate first
     * @param privateKey a PEM file holding the private key (PKCS#8, unencrypted)
     * @return the copy
     * @throws IllegalStateException if these settings hold an {@link SSLContext}
     */
    public Tls withIdentity(Path certificateChain, Path privateKey) {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        noContext();
        return new Tls(certificateChain, privateKey, trustedCertificates, null, requireClientCertificate,
                hostnameVerification, engine);
    }

    /**
     * Returns a copy that trusts the certificate authorities in a PEM file: on a client, to check
     * the server; on a server, to check client certificates (mutual TLS). Default: a client trusts
     * the JDK's default authorities, a server asks for no client certificate.
     *
     * @param trustedCertificates a PEM file of one or more CA certificates
     * @return the copy
     * @throws IllegalStateException if these settings hold an {@link SSLContext}
     */
    public Tls withTrustedCertificates(Path trustedCertificates) {
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
        noContext();
        return new Tls(certificateChain, privateKey, trustedCertificates, null, requireClientCertificate,
                hostnameVerification, engine);
    }

    /**
     * Returns a copy for a server that refuses clients without a certificate signed by a trusted
     * authority ({@link #withTrustedCertificates}): mutual TLS. Without it, a server that trusts
     * some authorities asks for a client certificate but also accepts clients without one (their
     * connections are then identified by other means, or not at all). Ignored by clients.
     *
     * @return the copy
     */
    public Tls requireClientCertificate() {
        return new Tls(certificateChain, privateKey, trustedCertificates, context, true, hostnameVerification, engine);
    }

    /**
     * Returns a copy for a client that does not check that the server's certificate names the host
     * of its target. Only for tests and for servers reached by an address their certificate does
     * not list: anyone holding any certificate from a trusted authority can then pose as the
     * server. Default: verified. Ignored by servers.
     *
     * @return the copy
     */
    public Tls withoutHostnameVerification() {
        return new Tls(certificateChain, privateKey, trustedCertificates, context, requireClientCertificate, false,
                engine);
    }

    /**
     * Returns a copy that uses the given TLS engine. Default: {@link Engine#AUTO}.
     *
     * @param engine the engine
     * @return the copy
     * @throws IllegalStateException if these settings hold an {@link SSLContext} and the engine is not JDK
     */
    public Tls withEngine(Engine engine) {
        Objects.requireNonNull(engine, "engine");
        if (context != null && engine != Engine.JDK) {
            throw new IllegalStateException("an SSLContext runs on the JDK's engine only");
        }
        return new Tls(certificateChain, privateKey, trustedCertificates, context, requireClientCertificate,
                hostnameVerification, engine);
    }

    private void noContext() {
        if (context != null) {
            throw new IllegalStateException("these TLS settings hold an SSLContext, which already holds keys and trust");
        }
    }

    /**
     * Returns this side's certificate chain file.
     *
     * @return the PEM file, or empty
     */
    public Optional<Path> certificateChain() {
        return Optional.ofNullable(certificateChain);
    }

    /**
     * Returns this side's private key file.
     *
     * @return the PEM file, or empty
     */
    public Optional<Path> privateKey() {
        return Optional.ofNullable(privateKey);
    }

    /**
     * Returns the file of trusted certificate authorities.
     *
     * @return the PEM file, or empty for the defaults
     */
    public Optional<Path> trustedCertificates() {
        return Optional.ofNullable(trustedCertificates);
    }

    /**
     * Returns the ready JDK context these settings were made from.
     *
     * @return the context, or empty when made from PEM files
     */
    public Optional<SSLContext> context() {
        return Optional.ofNullable(context);
    }

    /**
     * Tells whether a server refuses clients without a trusted certificate.
     *
     * @return true for mutual TLS
     */
    public boolean clientCertificateRequired() {
        return requireClientCertificate;
    }

    /**
     * Tells whether a client checks that the server's certificate names the target's host.
     *
     * @return true unless turned off
     */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /**
     * Returns the TLS engine asked for.
     *
     * @return the engine
     */
    public Engine engine() {
        return engine;
    }

    @Override
    public String toString() {
        return "Tls[" + (context != null ? "SSLContext " + context.getProtocol()
                : "chain=" + certificateChain + ", key=" + privateKey + ", trusted=" + trustedCertificates)
                + (requireClientCertificate ? ", client certificate required" : "")
                + (hostnameVerification ? "" : ", no hostname verification") + ", engine=" + engine + "]";
    }
}
