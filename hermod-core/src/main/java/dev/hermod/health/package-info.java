/**
 * A server's health, as a remote service and as a switch: every server binds the {@link
 * dev.hermod.health.Health} contract under a reserved name, so that load balancers, probes and
 * {@code hermod health} can ask whether it serves, and {@link dev.hermod.health.HealthControl}
 * ({@code Server.health()}) takes a service, or the whole server, out of rotation and back.
 *
 * <p>An application that only makes and serves calls never names this package.
 *
 * @since 0.3
 */
package dev.hermod.health;
