package dev.hermod;

/**
 * The stable status of a failed remote invocation, carried by every {@link RpcException}.
 *
 * <p>Each status has an explicit wire number ({@link #code()}) that never changes between
 * releases; a number this version does not know maps to {@link #UNKNOWN}
 * ({@link #fromCode(int)}), so a newer peer never breaks an older one.
 *
 * <p>An enum: immutable and thread-safe.
 *
 * @since 0.1
 */
public enum Status {
    /** A failure with no more precise status, or a status number this version does not know. */
    UNKNOWN(1),
    /** The invocation was canceled before it completed. */
    CANCELED(2),
    /** The invocation's deadline passed before a reply arrived. */
    TIMEOUT(3),
    /** No connection to the peer could be made, it was lost, or the peer is shutting down. */
    UNAVAILABLE(4),
    /** The server has no service bound under the requested name. */
    SERVICE_NOT_FOUND(5),
    /** The service's contract declares no operation of the requested name. */
    OPERATION_NOT_FOUND(6),
    /** Arguments or a result could not be encoded or decoded as the declared types. */
    MARSHAL(7),
    /** The servant failed with an exception that the operation does not declare. */
    REMOTE_FAILURE(8),
    /** A peer violated the wire protocol; the connection was closed. */
    PROTOCOL_ERROR(9),
    /** The peer has no capacity left for the request (for example a full dispatch queue). */
    RESOURCE_EXHAUSTED(10),
    /**
     * The call was addressed to an object reference that its exporter no longer serves: the
     * holder released it, the exporter revoked it, or it never existed on this connection.
     */
    OBJECT_NOT_FOUND(11),
    /**
     * The server does not know who the caller is: the credentials were refused, the client sent
     * none to a server that requires them, or its certificate was not trusted.
     *
     * @since 0.2
     */
    UNAUTHENTICATED(12),
    /**
     * The caller is authenticated, but the server's authorization policy does not let it invoke
     * the operation.
     *
     * @since 0.2
     */
    PERMISSION_DENIED(13);

    private static final Status[] BY_CODE;

    static {
        int max = 0;
        for (Status s : values()) {
            max = Math.max(max, s.code);
        }
        BY_CODE = new Status[max + 1];
        for (Status s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    private final int code;

    Status(int code) {
        this.code = code;
    }

    /**
     * Returns the wire number of this status.
     *
     * @return the number, stable across releases
     */
    public int code() {
        return code;
    }

    /**
     * Returns the status with the given wire number.
     *
     * @param code a wire number
     * @return the status, or {@link #UNKNOWN} if no status has that number
     */
    public static Status fromCode(int code) {
        if (code >= 0 && code < BY_CODE.length && BY_CODE[code] != null) {
            return BY_CODE[code];
        }
        return UNKNOWN;
    }
}
