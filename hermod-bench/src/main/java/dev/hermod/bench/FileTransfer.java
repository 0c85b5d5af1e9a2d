package dev.hermod.bench;

import dev.hermod.Remote;

/**
 * The contract of the seed's windowed file transfer (ZeroC Ice, "Polling for Completion"): the
 * client sends a file chunk by chunk. The annotation processor generates {@code FileTransferAsync},
 * whose {@code send} returns an {@code AsyncResult<Void>}.
 */
@Remote
public interface FileTransfer {
    /** Receives the chunk of the file that starts at {@code offset}. */
    void send(long offset, byte[] chunk);
}
