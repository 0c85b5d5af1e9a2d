package dev.hermod.intercept;

import java.net.SocketAddress;
import java.security.Principal;
import java.util.Optional;

/**
 * A call as a {@link ServerInterceptor} sees it: what {@link InterceptedCall} tells, and who sent
 * it.
 *
 * @since 0.3
 */
public interface ServerCall extends InterceptedCall {

    /**
     * Tells whether the caller waits for no reply.
     *
     * @return true for a oneway call
     */
    boolean isOneway();

    /**
     * Returns the address of the peer that sent the call.
     *
     * @return the remote address
     */
    SocketAddress peer();

    /**
     * Returns who the caller is, as the server's {@link dev.hermod.security.Authenticator} decided.
     *
     * @return the principal, or empty if unknown
     */
    Optional<Principal> principal();
}
