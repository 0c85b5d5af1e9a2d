package dev.hermod.examples.streams;

import dev.hermod.Remote;
import java.util.concurrent.Flow;

/** Files served as streams of chunks, read from disk only as fast as the caller takes them. */
@Remote
public interface Downloads {
    /**
     * Streams the file {@code name} of the served directory in chunks of the server's chunk size
     * (the last one shorter); fails with a {@code RemoteException} naming the file if it cannot be
     * read.
     */
    Flow.Publisher<byte[]> read(String name);

    /**
     * The server's heap in use right after a garbage collection, in bytes: a diagnostic for
     * {@link SlowDownload}, which shows that the server's heap stays flat while it streams.
     */
    long heapUsedAfterGc();
}
