package dev.hermod.bench;

import dev.hermod.Remote;

/** The client's object the server sends events to, by reference. */
@Remote
public interface EventSink {
    void event(byte[] data);
}
