package dev.hermod.examples.events;

import dev.hermod.Remote;

/** The service of RPyC's FileMonitor example: watch a file and call the client back on change. */
@Remote
public interface FileMonitors {
    /**
     * Starts watching {@code path}, checking every {@code intervalMillis}, and calls
     * {@code listener} with the old and new stat whenever they differ.
     *
     * @return the running monitor: call {@link FileMonitor#stop()} on it when done
     */
    FileMonitor watch(String path, FileListener listener, long intervalMillis);
}
