package dev.hermod.internal.transport;

import dev.hermod.security.Tls;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the channels of one client or server, from its {@link Tls} settings, through Netty's
 * {@link SslContext}: BoringSSL ({@code netty-tcnative-boringssl-static}) when it loads and the
 * settings allow, the JDK's engine otherwise. Puts an {@link SslHandler} first in each new
 * channel's pipeline. Certificates read from PEM files are read again when a file changes (looked
 * at, at most once a second, as connections open); a file that no longer reads keeps the previous
 * context, with a warning. Thread-safe.
 */
public final class SecureChannels {
    private static final Logger log = LoggerFactory.getLogger(SecureChannels.class);
    /** The name of the TLS handler in a channel's pipeline. */
    public static final String HANDLER = "tls";
    private static final long CHECK_NANOS = Duration.ofSeconds(1).toNanos();

    private final Tls tls;
    private final boolean server;
    private final SslProvider provider;
    private volatile SslContext context;
    private volatile List<Object> stamps;
    private volatile long lastCheck;

    private SecureChannels(Tls tls, boolean server) {
        this.tls = tls;
        this.server = server;
        this.provider = provider(tls.engine());
        this.stamps = stamps();
        this.lastCheck = System.nanoTime();
        try {
            this.context = build();
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException("invalid TLS settings " + tls + ": " + e.getMessage(), e);
        }
    }

    /**
     * TLS for a server's accepted channels.
     *
     * @throws IllegalArgumentException if the settings name no certificate and key, or the files do not read
     * @throws IllegalStateException if BoringSSL is required and does not load
     */
    public static SecureChannels forServer(Tls tls) {
        if (tls.context().isEmpty() && tls.certificateChain().isEmpty()) {
            throw new IllegalArgumentException("a TLS server needs its certificate chain and private key:"
                    + " Tls.fromPem(chain, key)");
        }
        return new SecureChannels(tls, true);
    }

    /** TLS for a client's channels. */
    public static SecureChannels forClient(Tls tls) {
        return new SecureChannels(tls, false);
    }

    /** Names the engine in use, for logs and diagnostics. */
    public String engine() {
        return provider == SslProvider.OPENSSL ? "BoringSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    private static SslProvider provider(Tls.Engine engine) {
        switch (engine) {
            case JDK:
                return SslProvider.JDK;
            case OPENSSL:
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("the BoringSSL TLS engine does not load here (add"
                            + " io.netty:netty-tcnative-boringssl-static for this platform): "
                            + OpenSsl.unavailabilityCause());
                }
                return SslProvider.OPENSSL;
            default:
                return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        }
    }

    private SslContext build() throws SSLException {
        ClientAuth auth = !server ? ClientAuth.NONE
                : tls.clientCertificateRequired() ? ClientAuth.REQUIRE
                : tls.trustedCertificates().isPresent() ? ClientAuth.OPTIONAL : ClientAuth.NONE;
        if (tls.context().isPresent()) {
            return new JdkSslContext(tls.context().get(), !server, auth);
        }
        SslContextBuilder b = server
                ? SslContextBuilder.forServer(tls.certificateChain().get().toFile(), tls.privateKey().get().toFile())
                : SslContextBuilder.forClient();
        if (!server && tls.certificateChain().isPresent()) {
            b.keyManager(tls.certificateChain().get().toFile(), tls.privateKey().get().toFile());
        }
        tls.trustedCertificates().ifPresent(ca -> b.trustManager(ca.toFile()));
        if (!server) {
            b.endpointIdentificationAlgorithm(tls.hostnameVerification() ? "HTTPS" : null);
        }
        return b.sslProvider(provider).clientAuth(auth).build();
    }

    /** The files' sizes and modification times, to notice a change. */
    private List<Object> stamps() {
        List<Object> out = new ArrayList<>();
        for (Path p : new Path[] {tls.certificateChain().orElse(null), tls.privateKey().orElse(null),
                tls.trustedCertificates().orElse(null)}) {
            if (p == null) {
                continue;
            }
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.add(a.lastModifiedTime());
                out.add(a.size());
            } catch (IOException e) {
                out.add(e.getClass());
            }
        }
        return out;
    }

    /** The context for a new handshake: rebuilt first if a file changed since it was built. */
    private SslContext current() {
        long now = System.nanoTime();
        if (tls.context().isEmpty() && now - lastCheck >= CHECK_NANOS) {
            synchronized (this) {
                if (now - lastCheck >= CHECK_NANOS) {
                    lastCheck = now;
                    List<Object> seen = stamps();
                    if (!seen.equals(stamps)) {
                        stamps = seen;
                        try {
                            context = build();
                            log.info("TLS certificates reloaded from {}", tls.certificateChain()
                                    .or(tls::trustedCertificates).map(Object::toString).orElse("their files"));
                        } catch (SSLException | RuntimeException e) {
                            log.warn("TLS certificates changed but do not read ({}); keeping the previous ones",
                                    e.getMessage());
                        }
                    }
                }
            }
        }
        return context;
    }

    /**
     * Puts TLS first in a new channel's pipeline. {@code peerHost} and {@code peerPort} name the
     * server a client dials (for host name verification and SNI); null on a server.
     */
    public void install(Channel channel, String peerHost, int peerPort) {
        SslContext ctx = current();
        SslHandler handler = server ? ctx.newHandler(channel.alloc())
                : ctx.newHandler(channel.alloc(), Objects.requireNonNull(peerHost), peerPort);
        if (!server && tls.context().isPresent()) {
            SSLEngine engine = handler.engine();
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm(tls.hostnameVerification() ? "HTTPS" : null);
            engine.setSSLParameters(p);
        }
        channel.pipeline().addFirst(HANDLER, handler);
    }

    @Override
    public String toString() {
        return "SecureChannels[" + engine() + ", " + tls + "]";
    }
}
