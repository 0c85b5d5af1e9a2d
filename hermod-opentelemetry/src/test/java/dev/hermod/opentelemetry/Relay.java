package dev.hermod.opentelemetry;

import dev.hermod.Remote;

/** A service that may pass a call on to another server. */
@Remote
public interface Relay {
    /** Returns {@code text}, through the next server if there is one. */
    String pass(String text);

    /** Records {@code text}; oneway-capable. */
    void note(String text);
}
