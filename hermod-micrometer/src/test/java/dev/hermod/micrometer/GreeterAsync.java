package dev.hermod.micrometer;

import dev.hermod.AsyncResult;
import dev.hermod.tools.CompanionOf;

/** The asynchronous form of {@link Greeter}. */
@CompanionOf(Greeter.class)
public interface GreeterAsync {
    AsyncResult<String> greet(String name);

    AsyncResult<Void> poke();
}
