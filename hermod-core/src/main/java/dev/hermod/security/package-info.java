/**
 * Securing Hermod: TLS settings ({@link dev.hermod.security.Tls}), how a server learns who a
 * caller is ({@link dev.hermod.security.Authenticator}, with the client's
 * {@link dev.hermod.security.Credentials}) and what that caller may call
 * ({@link dev.hermod.security.Authorizer}). Set on {@link dev.hermod.Server.Builder} and
 * {@link dev.hermod.Client.Builder}; README's "Securing Hermod" shows them together.
 */
package dev.hermod.security;
