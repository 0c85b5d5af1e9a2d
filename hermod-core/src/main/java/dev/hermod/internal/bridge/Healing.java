package dev.hermod.internal.bridge;

import dev.hermod.connection.ConnectionListener;
import java.time.Duration;

/**
 * How a client heals after failures, as {@code Client.Builder} validated it: the backoff between
 * connection attempts, how many times and how often calls are re-sent, who hears about
 * connections, and when an unused connection is closed.
 *
 * @param backoffInitial the backoff after the first failed connection attempt
 * @param backoffMax the longest backoff
 * @param maxAttempts the most times one call is sent, the first included; 1 for no retries
 * @param budgetRatio retries allowed as a fraction of the calls started in the budget's window
 * @param budgetMinPerSecond retries allowed per second of the window whatever the ratio says
 * @param listener hears about connection attempts and state changes; null for none
 * @param idleTimeout how long a connection with no call in flight stays open; zero for ever
 * @param restartWait how long calls wait for a lost server to come back
 */
public record Healing(Duration backoffInitial, Duration backoffMax, int maxAttempts, double budgetRatio,
        int budgetMinPerSecond, ConnectionListener listener, Duration idleTimeout, Duration restartWait) {}
