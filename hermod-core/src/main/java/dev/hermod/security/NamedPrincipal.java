package dev.hermod.security;

import java.security.Principal;

/** A principal that is a name: what {@link Authenticator#principal(String)} makes. */
record NamedPrincipal(String name) implements Principal {
    @Override
    public String getName() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
