/**
 * For tools and generated code, not for applications: what a server offers, as data
 * ({@link dev.hermod.tools.ServiceDescription}, from {@code Client.describe()}, which the
 * {@code hermod} command shows), and the annotations Hermod's annotation processor writes on the
 * companion interfaces it generates ({@link dev.hermod.tools.CompanionOf},
 * {@link dev.hermod.tools.ServantOf}), which an interface written in their place carries too.
 *
 * @since 0.1
 */
package dev.hermod.tools;
