package dev.hermod.examples.transfer;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.flow.Window;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * The seed's windowed file transfer: chunks go out asynchronously with at most five in flight,
 * keeping the connection busy while the server writes ("keep the pipe full"). {@link Window}
 * does the bookkeeping of the seed's loop.
 */
public final class TransferExample {
    private TransferExample() {}

    static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws Exception {
        run(System.out, 64L * 1024 * 1024);
    }

    /** Sends a generated file of {@code size} bytes and checks what arrived. */
    public static boolean run(PrintStream out, long size) throws Exception {
        Path dir = Files.createTempDirectory("hermod-transfer");
        Path source = dir.resolve("source.bin");
        Path received = dir.resolve("received.bin");
        try {
            long expected = generate(source, size);
            try (Server server = Hermod.server().host("127.0.0.1").add("files", new FileTransferImpl(received)).start();
                    Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
                FileTransferAsync files = client.proxy(FileTransferAsync.class, "files");
                long start = System.nanoTime();
                Window window = Window.of(5);
                try (InputStream in = Files.newInputStream(source)) {
                    long offset = 0;
                    byte[] chunk;
                    while ((chunk = in.readNBytes(CHUNK)).length > 0) {
                        long at = offset;
                        byte[] bytes = chunk;
                        window.submit(() -> files.send(at, bytes)); // waits while 5 are in flight
                        offset += chunk.length;
                    }
                }
                window.awaitAll(Duration.ofMinutes(5));
                double seconds = (System.nanoTime() - start) / 1e9;
                long checksum = client.proxy(FileTransfer.class, "files").checksum();
                out.printf("sent %d MiB in %.2f s (%.0f MiB/s), window of 5 chunks of %d KiB%n", size >> 20, seconds,
                        size / 1048576.0 / seconds, CHUNK / 1024);
                out.printf("checksum %s: %08x%n", checksum == expected ? "matches" : "DIFFERS", checksum);
                return checksum == expected;
            }
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(received);
            Files.deleteIfExists(dir);
        }
    }

    private static long generate(Path file, long size) throws Exception {
        Random random = new Random(42);
        CRC32 crc = new CRC32();
        byte[] block = new byte[CHUNK];
        try (var out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                int n = (int) Math.min(block.length, size - written);
                random.nextBytes(block);
                out.write(block, 0, n);
                crc.update(block, 0, n);
            }
        }
        return crc.getValue();
    }
}
