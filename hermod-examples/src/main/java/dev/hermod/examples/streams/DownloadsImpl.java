package dev.hermod.examples.streams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;

/**
 * Serves the regular files of one directory, read on threads of its own. Close it to stop them.
 * Thread-safe.
 */
final class DownloadsImpl implements Downloads, AutoCloseable {
    private final Path dir;
    private final int chunkSize;
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "file-reader");
        t.setDaemon(true);
        return t;
    });

    DownloadsImpl(Path dir, int chunkSize) {
        this.dir = dir.toAbsolutePath().normalize();
        this.chunkSize = chunkSize;
    }

    @Override
    public Flow.Publisher<byte[]> read(String name) {
        Path file = dir.resolve(name).normalize();
        if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no file " + name + " here");
        }
        return new FileChunks(file, chunkSize, readers);
    }

    @Override
    public long heapUsedAfterGc() {
        return SlowDownload.heapUsedAfterGc();
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
