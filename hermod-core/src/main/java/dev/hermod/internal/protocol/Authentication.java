package dev.hermod.internal.protocol;

import dev.hermod.RpcException;
import dev.hermod.Status;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.security.Authenticator;
import dev.hermod.security.Credentials;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.net.SocketAddress;
import java.security.Principal;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication step of one link's handshake (PROTOCOL.md section 3.3). A server that
 * authenticates announces it in its SETTINGS; the client then sends one AUTH frame (its
 * credentials, or the mechanism {@code none}) and waits for AUTH_OK before any request. The
 * server runs its {@link Authenticator} off the I/O thread, with reading paused, and answers
 * AUTH_OK, or GOAWAY with status UNAUTHENTICATED and a close when credentials are refused.
 * Secrets are never logged and never put in a message. I/O thread only.
 */
final class Authentication {
    private static final Logger log = LoggerFactory.getLogger(Link.class);
    /** The mechanism of a client that has no credentials. */
    static final String NONE = "none";

    private final Link link;
    /** Server: an AUTH frame arrived. */
    private boolean received;
    /** Server: the authenticator has not answered yet. */
    private boolean deciding;
    /** Client: AUTH sent, AUTH_OK not yet received. */
    private boolean awaitingVerdict;

    Authentication(Link link) {
        this.link = link;
    }

    // ---- the dialling side ----

    /** The server announced that it authenticates: sends this client's credentials, then waits. */
    void sendCredentials(ChannelHandlerContext ctx) {
        Credentials c = link.handshake().credentials();
        awaitingVerdict = true;
        ctx.writeAndFlush(c == null ? Frames.auth(ctx.alloc(), NONE, new byte[0])
                : Frames.auth(ctx.alloc(), c.mechanism(), c.encoded()), ctx.voidPromise());
    }

    /** Whether this client waits for the server's verdict on its credentials. */
    boolean awaitingVerdict() {
        return awaitingVerdict;
    }

    /** AUTH_OK arrived: the handshake is done. */
    void onAuthOk(ByteBuf body) {
        if (!awaitingVerdict) {
            throw new ProtocolViolation("an AUTH_OK frame that answers no AUTH");
        }
        awaitingVerdict = false;
        String name = Wire.readStr16(body);
        log.debug("{}: authenticated as '{}'", link, PeerLog.escape(name));
    }

    /** A GOAWAY arrived instead of AUTH_OK: why the calls waiting for this connection fail. */
    RpcException refused(Frames.GoAway goAway) {
        Credentials c = link.handshake().credentials();
        Status status = goAway.status() == Status.PROTOCOL_ERROR ? Status.PROTOCOL_ERROR : Status.UNAUTHENTICATED;
        return Failures.rpc(status, "the server at " + link.remoteAddress() + " refused "
                + (c == null ? "this client, which sent no credentials" : "this client's " + c)
                + ": " + PeerLog.escape(goAway.message()), null, true);
    }

    // ---- the accepting side ----

    /** An AUTH frame arrived at a server. */
    void onAuth(ChannelHandlerContext ctx, ByteBuf body) {
        if (!link.authenticates()) {
            log.debug("{}: ignoring AUTH: this server authenticates no one", link);
            return;
        }
        if (received) {
            throw new ProtocolViolation("a second AUTH frame");
        }
        received = true;
        String mechanism = Wire.readStr16(body);
        byte[] data = new byte[body.readableBytes()];
        body.readBytes(data);
        Link.Handshake handshake = link.handshake();
        Attempt attempt = new Attempt(mechanism, data, link.peerCertificates(), link.remoteAddress());
        deciding = true;
        link.pauseReading(Link.PAUSE_AUTH, true);
        io.netty.util.concurrent.ScheduledFuture<?> timer = ctx.executor().schedule(
                () -> verdict(attempt, null, "no verdict within the handshake timeout"),
                handshake.timeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            handshake.authExecutor().execute(() -> {
                Principal p = null;
                String why = null;
                try {
                    p = handshake.authenticator().authenticate(attempt).orElse(null);
                } catch (Exception | LinkageError e) {
                    why = "the authenticator failed with " + e.getClass().getName();
                    log.debug("{}: the authenticator failed", link, e);
                }
                Principal principal = p;
                String reason = why;
                ctx.executor().execute(() -> {
                    timer.cancel(false);
                    verdict(attempt, principal, reason);
                });
            });
        } catch (RejectedExecutionException e) {
            timer.cancel(false);
            verdict(attempt, null, "the server is shutting down");
        }
    }

    private void verdict(Attempt attempt, Principal principal, String why) {
        if (!deciding) {
            return; // decided already (by the timer)
        }
        deciding = false;
        attempt.clear();
        if (!link.isOpen()) {
            return;
        }
        if (principal != null || attempt.mechanism().equals(NONE) && why == null) {
            link.principal(principal);
            link.send(Frames.authOk(link.alloc(), principal == null ? "" : principal.getName()));
            link.pauseReading(Link.PAUSE_AUTH, false);
            return;
        }
        String reason = why != null ? why : attempt.mechanism().equals(NONE) ? "no credentials"
                : "credentials refused";
        link.peerLog().warn("authentication", "refusing connection from {}: {} ({})",
                String.valueOf(link.remoteAddress()), reason, attempt.mechanism());
        link.closeAfterGoAway(Failures.rpc(Status.UNAUTHENTICATED, "authentication failed", null, true));
    }

    /** What the client presented, for the authenticator; the secret is cleared once decided. */
    private static final class Attempt implements Authenticator.Attempt {
        private final String mechanism;
        private final byte[] data;
        private final List<X509Certificate> certificates;
        private final SocketAddress remote;

        Attempt(String mechanism, byte[] data, List<X509Certificate> certificates, SocketAddress remote) {
            this.mechanism = mechanism;
            this.data = data;
            this.certificates = certificates;
            this.remote = remote;
        }

        @Override
        public String mechanism() {
            return mechanism;
        }

        @Override
        public synchronized byte[] data() {
            return data.clone();
        }

        synchronized void clear() {
            Arrays.fill(data, (byte) 0);
        }

        @Override
        public List<X509Certificate> peerCertificates() {
            return certificates;
        }

        @Override
        public SocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public String toString() {
            return "Attempt[" + mechanism + " from " + remote + "]";
        }
    }
}
