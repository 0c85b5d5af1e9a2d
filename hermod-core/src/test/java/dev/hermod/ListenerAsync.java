package dev.hermod;

/** The asynchronous companion of {@link Listener}, as the annotation processor would generate it. */
@CompanionOf(Listener.class)
public interface ListenerAsync {
    AsyncResult<Void> onEvent(String event);

    AsyncResult<String> echo(String text);

    AsyncResult<Void> fail(String message);

    AsyncResult<String> context(String key);

    AsyncResult<Void> sleep(long millis);
}
