package dev.hermod.health;

import dev.hermod.Remote;
import dev.hermod.Server;
import java.util.Map;

/**
 * The contract of the health service every server binds under the reserved name
 * {@value #SERVICE} (as gRPC's health checking protocol): whether the server and each of its
 * services is serving. Load balancers, orchestrators and {@code hermod health TARGET} call it.
 *
 * <pre>{@code
 * Health health = client.proxy(Health.class, Health.SERVICE);
 * if (health.check("employees") != Health.State.SERVING) { ... }
 * }</pre>
 *
 * <p>A service is {@link State#NOT_SERVING} once the server has begun to shut down (drain), or
 * after the server's owner said so with {@link Server#health()}; otherwise it is
 * {@link State#SERVING}. The server as a whole is named by the empty string.
 *
 * @since 0.3
 */
@Remote
public interface Health {
    /** The reserved name the health service is bound under. */
    String SERVICE = "hermod.health";

    /** Whether a service serves. */
    enum State {
        /** It takes calls. */
        SERVING,
        /** It is bound but takes no calls now: draining, or taken out by its owner. */
        NOT_SERVING,
        /** No service of that name is bound on the server. */
        SERVICE_UNKNOWN
    }

    /**
     * Returns the state of one service.
     *
     * @param service a bound service's name, or {@code ""} for the server as a whole
     * @return its state
     */
    State check(String service);

    /**
     * Returns the state of the server ({@code ""}) and of every service bound on it.
     *
     * @return the states, by service name, the server's first
     */
    Map<String, State> checkAll();
}
