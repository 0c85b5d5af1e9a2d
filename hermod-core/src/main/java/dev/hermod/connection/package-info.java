/**
 * A client's connections, seen from the application: {@link dev.hermod.connection.Connection}
 * ({@code Client.connections()}) says where each one is in its life and how many bytes wait on
 * it, and a {@link dev.hermod.connection.ConnectionListener} (registered on
 * {@code Client.Builder}) learns how they come and go, and which remote object references a
 * lost one took with it.
 *
 * <p>An application that only makes calls never names this package: Hermod opens, reuses and
 * reopens connections by itself.
 *
 * @since 0.3
 */
package dev.hermod.connection;
