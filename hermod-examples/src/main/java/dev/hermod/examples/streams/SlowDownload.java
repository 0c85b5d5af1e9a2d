package dev.hermod.examples.streams;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * Streams a large file (1 GiB unless told otherwise) from a server in a process of its own to a
 * deliberately slow consumer that asks for everything at once, and prints the heap in use after a
 * garbage collection on both sides as the bytes arrive: it stays flat, because Hermod grants the
 * server no more than a window of 32 chunks beyond what the consumer has taken, and the server's
 * {@link FileChunks} reads no chunk it was not asked for. The server runs with {@code -Xmx64m},
 * smaller than the file by far, and with Netty's buffers on the heap
 * ({@code -Dio.netty.noPreferDirect=true}), so that whatever it held back would show.
 *
 * <pre>
 * java -Xmx64m -Dio.netty.noPreferDirect=true -cp hermod-examples/target/hermod-demo.jar \
 *     dev.hermod.examples.streams.SlowDownload [MiB, default 1024]
 * </pre>
 */
public final class SlowDownload {
    /** Bytes per item. */
    static final int CHUNK = 64 * 1024;
    private static final long MIB = 1 << 20;

    /**
     * What a run measured: heap in use after a garbage collection, before the stream and at its
     * highest while it ran, on each side.
     */
    public record Outcome(long bytes, boolean intact, long clientBefore, long clientPeak, long serverBefore,
            long serverPeak) {}

    private SlowDownload() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("serve")) {
            serve(Path.of(args[1]));
            return;
        }
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        run(System.out, mib * MIB, 64 * MIB, TimeUnit.MICROSECONDS.toNanos(500));
    }

    /**
     * Writes a file of {@code size} bytes, serves it from another process, and reads it with a
     * consumer that pauses {@code pauseNanos} after each chunk, sampling both heaps every
     * {@code every} bytes.
     */
    public static Outcome run(PrintStream out, long size, long every, long pauseNanos) throws Exception {
        Path dir = Files.createTempDirectory("hermod-download");
        Path file = dir.resolve("big.bin");
        try {
            long written = write(file, size);
            out.printf("wrote %s (%d MiB), serving it from another process%n", file, size / MIB);
            Process server = startServer(dir);
            try (Client client = Hermod.client("tcp://127.0.0.1:" + port(server))) {
                Downloads downloads = Hermod.withOptions(client.proxy(Downloads.class, "downloads"),
                        o -> o.withoutDeadline()); // a long stream: no deadline
                return read(out, downloads, size, written, every, pauseNanos);
            } finally {
                server.getOutputStream().close(); // the server's cue to stop
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static Outcome read(PrintStream out, Downloads downloads, long size, long expectedCrc, long every,
            long pauseNanos) throws Exception {
        long clientBefore = heapUsedAfterGc();
        long serverBefore = downloads.heapUsedAfterGc();
        out.printf("%14s %22s %22s%n", "received", "client heap after GC", "server heap after GC");
        out.printf("%10d MiB %18.1f MiB %18.1f MiB%n", 0, mib(clientBefore), mib(serverBefore));
        SlowReader reader = new SlowReader(every, pauseNanos);
        downloads.read("big.bin").subscribe(reader);
        long clientPeak = clientBefore;
        long serverPeak = serverBefore;
        while (!reader.end.isDone() || !reader.milestones.isEmpty()) {
            Long received = reader.milestones.poll(100, TimeUnit.MILLISECONDS);
            if (received == null) {
                continue;
            }
            long c = heapUsedAfterGc();
            long s = downloads.heapUsedAfterGc();
            clientPeak = Math.max(clientPeak, c);
            serverPeak = Math.max(serverPeak, s);
            out.printf("%10d MiB %18.1f MiB %18.1f MiB%n", received / MIB, mib(c), mib(s));
        }
        long crc = reader.end.get();
        boolean intact = crc == expectedCrc && reader.bytes == size;
        out.printf("received %d bytes, %s; heap after GC at most %.1f MiB on the client (%.1f before),"
                + " %.1f MiB on the server (%.1f before)%n", reader.bytes,
                intact ? "checksum matches" : "CHECKSUM DIFFERS", mib(clientPeak), mib(clientBefore),
                mib(serverPeak), mib(serverBefore));
        return new Outcome(reader.bytes, intact, clientBefore, clientPeak, serverBefore, serverPeak);
    }

    /**
     * Asks for every chunk at once (the hardest case for back-pressure: only Hermod's window
     * bounds what is in flight), then takes its time over each.
     */
    private static final class SlowReader implements Flow.Subscriber<byte[]> {
        final CompletableFuture<Long> end = new CompletableFuture<>();
        final BlockingQueue<Long> milestones = new LinkedBlockingQueue<>();
        private final CRC32 crc = new CRC32();
        private final long every;
        private final long pauseNanos;
        volatile long bytes;

        SlowReader(long every, long pauseNanos) {
            this.every = every;
            this.pauseNanos = pauseNanos;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(byte[] chunk) {
            crc.update(chunk);
            long before = bytes;
            bytes = before + chunk.length;
            if (bytes / every > before / every) {
                milestones.add(bytes);
            }
            LockSupport.parkNanos(pauseNanos); // a slow consumer
        }

        @Override
        public void onError(Throwable t) {
            end.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            end.complete(crc.getValue());
        }
    }

    /** Serves {@code dir} until standard input closes. */
    static void serve(Path dir) throws Exception {
        try (DownloadsImpl downloads = new DownloadsImpl(dir, CHUNK);
                Server server = Hermod.server().host("127.0.0.1").add("downloads", Downloads.class, downloads)
                        .start()) {
            System.out.println("listening on " + server.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes our standard input
            }
        }
    }

    private static Process startServer(Path dir) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx64m", "-Dio.netty.noPreferDirect=true",
                "-cp", System.getProperty("java.class.path"), SlowDownload.class.getName(), "serve", dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int port(Process server) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = lines.readLine();
        if (line == null || !line.startsWith("listening on ")) {
            throw new IOException("the server process did not start: " + line);
        }
        return Integer.parseInt(line.substring("listening on ".length()));
    }

    /** Writes {@code size} pseudo-random bytes to {@code file}; returns their CRC-32. */
    private static long write(Path file, long size) throws IOException {
        Random random = new Random(17);
        byte[] block = new byte[(int) MIB];
        CRC32 crc = new CRC32();
        try (OutputStream o = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= block.length) {
                random.nextBytes(block);
                int n = (int) Math.min(left, block.length);
                o.write(block, 0, n);
                crc.update(block, 0, n);
            }
        }
        return crc.getValue();
    }

    /** Heap in use right after a garbage collection, in bytes. */
    static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return bytes / (double) MIB;
    }
}
