package dev.hermod.bench;

import dev.hermod.Remote;

/** The contract of the oneway scenario: calls that expect no reply, and a way to count them. */
@Remote
public interface Counter {
    /** Counts one call; a oneway operation. */
    void hit(byte[] data);

    /** How many {@link #hit} calls the servant has run. */
    long count();
}
