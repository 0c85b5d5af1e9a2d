package dev.hermod.examples.transfer;

import dev.hermod.Remote;

/** The ZeroC Ice manual's file transfer: the client sends a file chunk by chunk. */
@Remote
public interface FileTransfer {
    /** Writes {@code bytes} at {@code offset} of the file being received. */
    void send(long offset, byte[] bytes);

    /** Returns the CRC-32 of everything received so far, to check the transfer. */
    long checksum();
}
