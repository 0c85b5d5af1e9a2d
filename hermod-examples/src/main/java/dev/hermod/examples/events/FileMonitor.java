package dev.hermod.examples.events;

import dev.hermod.Remote;

/** One running watch, living on the server; the client holds a reference to it. */
@Remote
public interface FileMonitor {
    /** Stops watching; the monitor is gone afterwards and further calls on it fail. */
    void stop();

    /** The changes reported so far. */
    int changesReported();
}
