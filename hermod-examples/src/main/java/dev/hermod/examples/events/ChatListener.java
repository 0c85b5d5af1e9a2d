package dev.hermod.examples.events;

import dev.hermod.Remote;

/** What a chat member receives: every message posted to the room, in the room's order. */
@Remote
public interface ChatListener {
    void message(String from, String text);
}
