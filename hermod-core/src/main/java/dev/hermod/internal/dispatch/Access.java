package dev.hermod.internal.dispatch;

import dev.hermod.internal.protocol.Link;
import dev.hermod.security.Authorizer;
import java.security.Principal;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call what on a server: with an authenticator, a connection that is not authenticated
 * may make no call but describe (when allowed); an authenticated caller's call runs only if the
 * server-wide policy and its service's own both permit it. Immutable and thread-safe.
 */
public final class Access {
    private static final Logger log = LoggerFactory.getLogger(Access.class);
    /** Everything open: no authentication, no policy (a client's dispatch, or a server without security). */
    public static final Access OPEN = new Access(false, null, false, null, Map.of());

    private final boolean authenticated;
    private final String describeService;
    private final boolean describeUnauthenticated;
    private final Authorizer serverWide;
    private final Map<String, Authorizer> perService;

    /**
     * @param authenticated whether connections must be authenticated to call
     * @param describeService the reserved describe service's name
     * @param describeUnauthenticated whether an unauthenticated connection may call it
     * @param serverWide the server-wide policy, or null
     * @param perService each service's own policy, by service name
     */
    public Access(boolean authenticated, String describeService, boolean describeUnauthenticated,
            Authorizer serverWide, Map<String, Authorizer> perService) {
        this.authenticated = authenticated;
        this.describeService = describeService;
        this.describeUnauthenticated = describeUnauthenticated;
        this.serverWide = serverWide;
        this.perService = Map.copyOf(perService);
    }

    /**
     * Why a request for {@code service} on {@code link} must be refused as unauthenticated, or
     * null if it may go on. Cheap: on the I/O thread, before the service is looked up, so an
     * unauthenticated client learns nothing of what is bound.
     */
    String unauthenticated(Link link, String service) {
        if (!authenticated || link.principal() != null
                || describeUnauthenticated && service.equals(describeService)) {
            return null;
        }
        return "this server requires authentication, and this connection is not authenticated: give the client"
                + " credentials (Client.Builder.credentials) or a certificate the server trusts";
    }

    /** Tells whether the policies permit the call; runs application code, so never on an I/O thread. */
    boolean permits(Principal principal, String service, String operation) {
        if (principal == null) {
            return true; // no authenticator (then no policy either), or describe allowed unauthenticated
        }
        try {
            if (serverWide != null && !serverWide.permits(principal, service, operation)) {
                return false;
            }
            Authorizer own = perService.get(service);
            return own == null || own.permits(principal, service, operation);
        } catch (RuntimeException e) {
            log.warn("the authorization policy failed for {} on service '{}'; the call is refused",
                    dev.hermod.internal.protocol.PeerLog.escape(operation),
                    dev.hermod.internal.protocol.PeerLog.escape(service), e);
            return false;
        }
    }

    /** Whether a call needs {@link #permits} asked. */
    boolean hasPolicies() {
        return serverWide != null || !perService.isEmpty();
    }
}
