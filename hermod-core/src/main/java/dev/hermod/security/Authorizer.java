package dev.hermod.security;

import dev.hermod.Current;
import dev.hermod.Status;
import dev.hermod.Server;
import java.security.Principal;

/**
 * Decides whether an authenticated caller may invoke an operation: a server-wide policy
 * ({@link Server.Builder#authorizer(Authorizer)}) or one service's
 * ({@link Server.Builder#add(String, Class, Object, Authorizer)}); a call runs only if every policy
 * that applies permits it. A refused call fails with {@link Status#PERMISSION_DENIED}, unprocessed,
 * before its arguments are decoded or its servant is touched.
 *
 * <pre>{@code
 * Authorizer readOnlyForGuests = (principal, service, operation) ->
 *         !principal.getName().equals("guest") || operation.startsWith("get");
 * }</pre>
 *
 * <p>Called on the dispatch executor for each call, before the servant: it should be quick, and
 * must be thread-safe. An exception it throws refuses the call (and is logged).
 *
 * @since 0.2
 */
@FunctionalInterface
public interface Authorizer {

    /**
     * Tells whether {@code principal} may invoke {@code operation} of {@code service}.
     *
     * @param principal who the connection authenticated as ({@link Current#principal()})
     * @param service the service name as bound, or {@code @n} for an object reference
     * @param operation the operation name
     * @return true to let the call run
     */
    boolean permits(Principal principal, String service, String operation);
}
