package dev.hermod.jmh;

import dev.hermod.Remote;

/** The contract of hermod-bench's bulk scenario, with the same signature. */
@Remote
public interface FileTransfer {
    /** Receives the chunk of a file that starts at {@code offset}. */
    void send(long offset, byte[] chunk);
}
