package dev.hermod.test;

import dev.hermod.Remote;

@Remote
public interface Greeter {
    String greet(String name);

    /** How many greetings this servant made: per-server state, to tell servers apart. */
    int count();
}
