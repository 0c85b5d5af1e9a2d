package dev.hermod.bench;

import dev.hermod.Remote;
import java.nio.ByteBuffer;

/**
 * {@link FileTransfer} with the chunk as a {@link ByteBuffer}: it travels as a raw segment of the
 * frame (PROTOCOL.md section 30), from the caller's buffer to the socket and from the received frame
 * to the servant without a copy. The annotation processor generates {@code BufferTransferAsync}.
 */
@Remote
public interface BufferTransfer {
    /** Receives the chunk of the file that starts at {@code offset}; a view valid until this returns. */
    void send(long offset, ByteBuffer chunk);
}
