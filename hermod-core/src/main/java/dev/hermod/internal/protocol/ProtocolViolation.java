package dev.hermod.internal.protocol;

/**
 * A peer broke the wire protocol. Raised while reading a frame; the connection it happened on is
 * closed and its calls fail with {@link dev.hermod.ProtocolException}.
 */
public final class ProtocolViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolViolation(String message) {
        super(message, null, false, false);
    }
}
