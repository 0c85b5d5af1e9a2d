package dev.hermod.opentelemetry;

import dev.hermod.AsyncResult;
import dev.hermod.tools.CompanionOf;

/** The asynchronous form of {@link Relay}. */
@CompanionOf(Relay.class)
public interface RelayAsync {
    AsyncResult<String> pass(String text);

    AsyncResult<Void> note(String text);
}
