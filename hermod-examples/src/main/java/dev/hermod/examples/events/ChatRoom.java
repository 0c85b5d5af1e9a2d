package dev.hermod.examples.events;

import dev.hermod.Remote;

/** A subscription service: every member receives every message, all in the same order. */
@Remote
public interface ChatRoom {
    /** Joins under {@code name}; {@code listener} receives the messages posted from now on. */
    void join(String name, ChatListener listener);

    /** Posts a message to every member. */
    void post(String from, String text);

    /** Leaves: {@code listener} receives nothing more. */
    void leave(ChatListener listener);
}
