package dev.hermod.internal.protocol;

import dev.hermod.internal.bridge.Failures;
import io.netty.handler.ssl.NotSslRecordException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;

/**
 * A failed TLS handshake: the cause the link's calls fail with (a {@code ConnectionException}
 * whose message says what went wrong in words and whose cause is the TLS engine's exception), and
 * on a server one log line per failure (rate-limited with the server's other warnings about peers).
 */
final class TlsFailures {
    private TlsFailures() {}

    /** Records why the TLS handshake of {@code link} failed; TLS then closes the channel. */
    static void failed(Link link, Throwable cause) {
        String what = describe(cause);
        if (link.acceptedSide() && link.closeCause() == null) {
            link.peerLog().warn("tls", "TLS handshake with {} failed: {}", String.valueOf(link.remoteAddress()), what);
        }
        link.recordCause(Failures.connection("TLS handshake with " + link.remoteAddress() + " failed: " + what,
                cause, true));
    }

    /** Says in words what a handshake failure means, then the engine's own message. */
    static String describe(Throwable cause) {
        String hint = null;
        String last = String.valueOf(cause.getMessage());
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                last = t.getMessage();
            }
            if (t instanceof NotSslRecordException) {
                hint = "the peer does not speak TLS (a tcp:// peer?)";
            } else if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                hint = "a certificate is expired or not yet valid";
            } else if (hint == null && t.getMessage() != null) {
                String m = t.getMessage();
                if (m.contains("subject alternative") || m.contains("No name matching") || m.contains("hostname")) {
                    hint = "the server's certificate does not name the host dialled (hostname verification)";
                } else if (m.contains("PKIX") || m.contains("unable to find valid certification path")
                        || m.contains("unknown_ca") || m.contains("UNKNOWN_CA") || m.contains("CERTIFICATE_VERIFY_FAILED")) {
                    hint = "the peer's certificate is not signed by a trusted authority";
                } else if (m.contains("certificate_expired") || m.contains("CERTIFICATE_EXPIRED") || m.contains("expired")) {
                    hint = "a certificate is expired or not yet valid";
                } else if (m.contains("certificate_required") || m.contains("CERTIFICATE_REQUIRED")
                        || m.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE")
                        || m.contains("bad_certificate") || m.contains("BAD_CERTIFICATE")) {
                    hint = "the server requires a client certificate it trusts (mutual TLS)";
                } else if (m.contains("ALERT_INTERNAL_ERROR") || m.contains("internal_error")) {
                    hint = "the peer gave up the handshake (often: it does not trust this side's certificate,"
                            + " or the certificate does not name the host it dialled)";
                }
            }
        }
        String detail = PeerLog.escape(last);
        return hint == null ? detail : hint + ": " + detail;
    }
}
