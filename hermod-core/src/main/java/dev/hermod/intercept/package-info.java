/**
 * Seeing and steering calls: interceptors and what they are shown. A {@link
 * dev.hermod.intercept.ClientInterceptor} sees each call a client makes, a {@link
 * dev.hermod.intercept.ServerInterceptor} each call a server serves (both are {@link
 * dev.hermod.intercept.Interceptor}s, registered with {@code intercept(...)} on
 * {@link dev.hermod.Client.Builder} and {@link dev.hermod.Server.Builder}); each call is shown as a
 * {@link dev.hermod.intercept.ClientCall} or {@link dev.hermod.intercept.ServerCall}, its end as a
 * {@link dev.hermod.intercept.CallOutcome}, and the side it is registered on as {@link
 * dev.hermod.intercept.Vitals}.
 *
 * <p>This is the one extension seam for metrics, tracing, credentials helpers and user code:
 * Hermod's Micrometer and OpenTelemetry modules are built on it alone. An application that only
 * makes and serves calls never names this package.
 *
 * @since 0.3
 */
package dev.hermod.intercept;
