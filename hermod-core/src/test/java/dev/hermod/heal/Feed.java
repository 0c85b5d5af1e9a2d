package dev.hermod.heal;

import dev.hermod.Listener;
import dev.hermod.Remote;

/** A server that calls back the listeners its clients subscribe, and says what became of them. */
@Remote
public interface Feed {
    void subscribe(Listener listener);

    /**
     * Calls every subscriber's {@code echo(event)}; a subscriber whose reference fails is dropped.
     * Returns {@code delivered=N lost=M}.
     */
    String publish(String event);
}
