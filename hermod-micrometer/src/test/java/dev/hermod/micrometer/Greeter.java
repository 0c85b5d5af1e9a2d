package dev.hermod.micrometer;

import dev.hermod.Remote;

/** The contract the metrics test calls. */
@Remote
public interface Greeter {
    String greet(String name);

    void poke();
}
