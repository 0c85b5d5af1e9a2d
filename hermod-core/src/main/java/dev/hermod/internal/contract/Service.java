package dev.hermod.internal.contract;

/**
 * A servant served as a contract under a name: a service bound on a server, or an object
 * exported on a connection (named {@code @n}). Immutable.
 */
public record Service(String name, Contract contract, Object servant) {}
