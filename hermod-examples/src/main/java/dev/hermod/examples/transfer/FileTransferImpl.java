package dev.hermod.examples.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/** Receives a file into {@code target}; chunks may arrive in any order, each at its offset. */
public final class FileTransferImpl implements FileTransfer {
    private final FileChannel file;
    private final Path target;

    public FileTransferImpl(Path target) throws IOException {
        this.target = target;
        this.file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    @Override
    public void send(long offset, byte[] bytes) {
        try {
            file.write(ByteBuffer.wrap(bytes), offset); // positional writes: safe from several threads
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long checksum() {
        try {
            file.force(false);
            CRC32 crc = new CRC32();
            crc.update(Files.readAllBytes(target));
            return crc.getValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
