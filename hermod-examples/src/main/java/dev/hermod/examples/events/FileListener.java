package dev.hermod.examples.events;

import dev.hermod.Remote;

/** The client's callback: the monitor calls it, oneway, with the stat before and after a change. */
@Remote
public interface FileListener {
    void changed(String path, FileStat before, FileStat after);
}
