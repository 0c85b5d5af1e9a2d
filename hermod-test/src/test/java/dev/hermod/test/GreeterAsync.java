package dev.hermod.test;

import dev.hermod.AsyncResult;
import dev.hermod.tools.CompanionOf;

@CompanionOf(Greeter.class)
public interface GreeterAsync {
    AsyncResult<String> greet(String name);

    AsyncResult<Integer> count();
}
