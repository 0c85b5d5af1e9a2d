package dev.hermod;

import dev.hermod.tools.CompanionOf;

/** The asynchronous companion of {@link Listener}, as the annotation processor would generate it. */
@CompanionOf(Listener.class)
public interface ListenerAsync {
    AsyncResult.Throwing<Void, RuntimeException> onEvent(String event);

    AsyncResult.Throwing<String, RuntimeException> echo(String text);

    AsyncResult.Throwing<Void, RuntimeException> fail(String message);

    AsyncResult.Throwing<String, RuntimeException> context(String key);

    AsyncResult.Throwing<Void, InterruptedException> sleep(long millis);
}
