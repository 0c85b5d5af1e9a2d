package dev.hermod.health;

import dev.hermod.Server;

/**
 * Sets what a server's {@link Health} service reports ({@link Server#health()}): take a service,
 * or the whole server, out of rotation before maintenance, and put it back. The server's own
 * drain ({@link Server#shutdown()}) reports every service {@link Health.State#NOT_SERVING}
 * whatever is set here. Thread-safe.
 *
 * @since 0.3
 */
public interface HealthControl {

    /**
     * Sets whether a service is reported serving. Default: serving.
     *
     * @param service a bound service's name, or {@code ""} for the server as a whole (which also
     *     makes every service report {@link Health.State#NOT_SERVING} while it is not serving)
     * @param serving false to report it not serving
     * @throws IllegalArgumentException if no service of that name is bound
     */
    void setServing(String service, boolean serving);

    /**
     * Returns what the health service reports for a service now.
     *
     * @param service a service's name, or {@code ""} for the server
     * @return its state
     */
    Health.State state(String service);
}
