package dev.hermod.bench;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bulk scenario: the seed's windowed file transfer ({@code FileTransfer.send(offset, chunk)},
 * at most {@code window} chunks outstanding, wait for the oldest) over Hermod, against the same
 * transfer over a plain socket with the same framing idea (length-prefixed frames carrying offset
 * and chunk, an 8-byte ack per chunk, the same window). The plain-socket transfer runs twice: its
 * server reads every chunk into one reused buffer ({@code socket}, the baseline), or into a new
 * array per chunk ({@code socket-fresh}), which is what any server handing each call its own
 * {@code byte[]} must do; and once more through bare Netty ({@link NettyBulk}). The Hermod transfer
 * runs twice too: with {@code byte[]} chunks ({@code hermod}), copied into the request's payload and
 * out of it into a new array, and with {@link ByteBuffer} chunks ({@code hermod-buffer},
 * {@link BufferTransfer}), sent from the caller's direct buffer as a raw segment and handed to the
 * servant as a view of the received frame. All sides warm up first; measured runs alternate between
 * them, and the median of each side is reported.
 */
final class BulkBenchmark {
    private BulkBenchmark() {}

    /** One way of making the transfer: sends the bytes and returns the elapsed nanoseconds. */
    @FunctionalInterface
    private interface Transfer {
        long run(long bytes) throws Exception;
    }

    /** A side of the comparison and what its measured runs gave. */
    private static final class Side {
        final String name;
        final Transfer transfer;
        final ChunkSink sink;
        final double[] mibPerSecond;
        final Usage[] usage;

        Side(String name, ChunkSink sink, int runs, Transfer transfer) {
            this.name = name;
            this.sink = sink;
            this.transfer = transfer;
            this.mibPerSecond = new double[runs];
            this.usage = new Usage[runs];
        }
    }

    static void run(Options o, Report report) throws Exception {
        ChunkSink hermodSink = new ChunkSink();
        ChunkSink socketSink = new ChunkSink();
        ChunkSink freshSink = new ChunkSink();
        ChunkSink nettySink = new ChunkSink();
        ChunkSink bufferSink = new ChunkSink();
        byte[] chunk = ChunkSink.patternChunk(o.chunk());
        ByteBuffer directChunk = ByteBuffer.allocateDirect(chunk.length).put(chunk).flip();
        try (Server server = Hermod.server().host("127.0.0.1").directExecutor()
                        .add("files", FileTransfer.class, new Servant(hermodSink))
                        .add("buffers", BufferTransfer.class, new BufferServant(bufferSink))
                        .start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port());
                PlainServer plain = new PlainServer("bench-bulk", s -> serve(s, socketSink, o.chunk(), false));
                SocketSender sender = new SocketSender(plain.connect(), o.window(), o.chunk());
                PlainServer plainFresh =
                        new PlainServer("bench-bulk-fresh", s -> serve(s, freshSink, o.chunk(), true));
                SocketSender freshSender = new SocketSender(plainFresh.connect(), o.window(), o.chunk());
                NettyBulk netty = new NettyBulk(nettySink, o.chunk(), o.window())) {
            FileTransferAsync files = client.proxy(FileTransferAsync.class, "files");
            BufferTransferAsync buffers = client.proxy(BufferTransferAsync.class, "buffers");
            List<Side> sides = List.of(
                    new Side("hermod", hermodSink, o.runs(),
                            bytes -> hermodRun(files, hermodSink, chunk, bytes, o.window())),
                    new Side("socket", socketSink, o.runs(), bytes -> sender.run(socketSink, chunk, bytes)),
                    new Side("socket-fresh", freshSink, o.runs(), bytes -> freshSender.run(freshSink, chunk, bytes)),
                    new Side("netty", nettySink, o.runs(), bytes -> netty.run(nettySink, chunk, bytes)),
                    new Side("hermod-buffer", bufferSink, o.runs(),
                            bytes -> bufferRun(buffers, bufferSink, directChunk, bytes, o.window())));
            report.line("bulk: %s per run in %s chunks, window %d; warm-up rounds of %s per side;"
                    + " median of %d alternating runs", mib(o.bytes()), kib(o.chunk()), o.window(),
                    mib(o.warmupBytes()), o.runs());
            if (o.warmupBytes() > 0) {
                long max = o.warmupMax().toNanos();
                for (Side side : sides) {
                    WarmUp.run(report, "bulk: " + side.name, "MiB/s", max,
                            () -> mibPerSecond(o.warmupBytes(), side.transfer.run(o.warmupBytes())));
                }
            }
            double mibs = o.bytes() / (1024.0 * 1024.0);
            long chunks = (o.bytes() + o.chunk() - 1) / o.chunk();
            for (int i = 0; i < o.runs(); i++) {
                for (Side side : sides) {
                    Usage before = Usage.now();
                    long nanos = side.transfer.run(o.bytes());
                    Usage used = Usage.now().since(before);
                    side.usage[i] = used;
                    side.mibPerSecond[i] = mibPerSecond(o.bytes(), nanos);
                    report.line("bulk: run %d/%d %s %s in %.3f s = %.1f MiB/s, %.2f CPU ms/MiB, %.1f context"
                            + " switches/chunk (%d chunks reached the receiver out of order)", i + 1, o.runs(),
                            side.name, mib(o.bytes()), nanos / 1e9, side.mibPerSecond[i],
                            used.cpuNanos() / 1e6 / mibs, (double) used.switches() / chunks, side.sink.reordered());
                }
            }
            for (PlainServer p : List.of(plain, plainFresh)) {
                if (p.failure() != null) {
                    throw new BenchmarkFailure("the plain-socket server failed", p.failure());
                }
            }
            for (Side side : sides) {
                report.result("bulk." + side.name + ".throughput", median(side.mibPerSecond), "MiB/s");
            }
            double h = median(sides.get(0).mibPerSecond);
            report.result("bulk.ratio", h / median(sides.get(1).mibPerSecond), "ratio");
            report.result("bulk.ratio.fresh", h / median(sides.get(2).mibPerSecond), "ratio");
            report.result("bulk.netty.ratio", h / median(sides.get(3).mibPerSecond), "ratio");
            report.result("bulk.buffer.ratio", median(sides.get(4).mibPerSecond) / median(sides.get(1).mibPerSecond),
                    "ratio");
            if (sides.get(0).usage[0].cpuNanos() >= 0) {
                for (Side side : sides) {
                    report.result("bulk." + side.name + ".cpu", median(side.usage, u -> u.cpuNanos() / 1e6 / mibs),
                            "cpu-ms/MiB");
                }
            }
            if (sides.get(0).usage[0].switches() >= 0) {
                for (Side side : sides) {
                    report.result("bulk." + side.name + ".switches",
                            median(side.usage, u -> (double) u.switches() / chunks), "switches/chunk");
                }
            }
        }
    }

    /** The seed's loop, keeping at most {@code window} sends outstanding. Returns the elapsed nanoseconds. */
    static long hermodRun(FileTransferAsync files, ChunkSink sink, byte[] chunk, long total, int window)
            throws InterruptedException {
        sink.reset();
        ArrayDeque<AsyncResult<Void>> outstanding = new ArrayDeque<>(window + 1);
        long start = System.nanoTime();
        long offset = 0;
        while (offset < total) {
            int n = (int) Math.min(chunk.length, total - offset);
            if (outstanding.size() >= window) {
                finish(outstanding.removeFirst()); // wait for the oldest
            }
            AsyncResult<Void> r = files.send(offset, n == chunk.length ? chunk : Arrays.copyOf(chunk, n));
            r.waitForSent(); // the seed's step: wait until the request is handed to the transport
            outstanding.addLast(r);
            offset += n;
        }
        while (!outstanding.isEmpty()) {
            finish(outstanding.removeFirst());
        }
        long elapsed = System.nanoTime() - start;
        sink.verify(total, chunk.length, "hermod servant");
        return elapsed;
    }

    /** {@link #hermodRun} with {@link ByteBuffer} chunks: views of one direct buffer, never copied by the caller. */
    static long bufferRun(BufferTransferAsync files, ChunkSink sink, ByteBuffer chunk, long total, int window)
            throws InterruptedException {
        sink.reset();
        int size = chunk.remaining();
        ArrayDeque<AsyncResult<Void>> outstanding = new ArrayDeque<>(window + 1);
        long start = System.nanoTime();
        long offset = 0;
        while (offset < total) {
            int n = (int) Math.min(size, total - offset);
            if (outstanding.size() >= window) {
                finish(outstanding.removeFirst());
            }
            AsyncResult<Void> r = files.send(offset, n == size ? chunk : chunk.duplicate().limit(n));
            r.waitForSent();
            outstanding.addLast(r);
            offset += n;
        }
        while (!outstanding.isEmpty()) {
            finish(outstanding.removeFirst());
        }
        long elapsed = System.nanoTime() - start;
        sink.verify(total, size, "hermod buffer servant");
        return elapsed;
    }

    private static void finish(AsyncResult<Void> r) {
        try {
            r.value(); // bounded by the call's deadline (the client's 30 s default)
        } catch (Exception e) {
            throw new BenchmarkFailure("FileTransfer.send failed: " + e, e);
        }
    }

    /** The servant: hands every chunk to the sink. */
    private static final class Servant implements FileTransfer {
        private final ChunkSink sink;

        Servant(ChunkSink sink) {
            this.sink = sink;
        }

        @Override
        public void send(long offset, byte[] chunk) {
            sink.accept(offset, chunk, chunk.length);
        }
    }

    /** The servant of {@link BufferTransfer}: hands every chunk, a view of the request's frame, to the sink. */
    private static final class BufferServant implements BufferTransfer {
        private final ChunkSink sink;

        BufferServant(ChunkSink sink) {
            this.sink = sink;
        }

        @Override
        public void send(long offset, ByteBuffer chunk) {
            sink.accept(offset, chunk);
        }
    }

    /**
     * The baseline server, one thread per connection: reads a frame (4-byte length, 8-byte offset,
     * chunk) into a reused buffer, or into a new array per chunk if {@code fresh}, hands it to the
     * sink and acknowledges it with its offset at once.
     */
    static void serve(Socket socket, ChunkSink sink, int chunkSize, boolean fresh) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 256));
        byte[] buf = new byte[chunkSize];
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                return;
            }
            if (length < 8 || length - 8 > Options.MAX_CHUNK) {
                throw new IOException("bad frame length " + length);
            }
            long offset = in.readLong();
            int n = length - 8;
            if (fresh || n > buf.length) {
                buf = new byte[n];
            }
            in.readFully(buf, 0, n);
            sink.accept(offset, buf, n);
            out.writeLong(offset);
            out.flush();
        }
    }

    /**
     * The baseline client: the sending thread writes whole frames (one flush each) while holding a
     * window permit; a reader thread takes the acks, checks that they come back in order, and
     * returns the permits.
     */
    static final class SocketSender implements AutoCloseable {
        private final Socket socket;
        private final DataOutputStream out;
        private final int window;
        private final Semaphore permits;
        private final ConcurrentLinkedQueue<Long> unacked = new ConcurrentLinkedQueue<>();
        private final Thread reader;
        private volatile Throwable readerFailure;
        private volatile boolean closing;

        SocketSender(Socket socket, int window, int chunkSize) throws IOException {
            this.socket = socket;
            this.window = window;
            this.permits = new Semaphore(window);
            // Room for a whole frame: header and chunk leave in one write.
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), chunkSize + 12));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 4096));
            this.reader = new Thread(() -> readAcks(in), "bench-bulk-acks");
            reader.setDaemon(true);
            reader.start();
        }

        private void readAcks(DataInputStream in) {
            try {
                while (true) {
                    long ack = in.readLong();
                    Long expected = unacked.poll();
                    if (expected == null || expected != ack) {
                        throw new IOException("ack for offset " + ack + ", expected " + expected);
                    }
                    permits.release();
                }
            } catch (IOException e) {
                if (!closing) {
                    readerFailure = e;
                    permits.release(window); // wake the sender, which then sees the failure
                }
            }
        }

        /** Sends {@code total} bytes; returns the elapsed nanoseconds once every chunk is acknowledged. */
        long run(ChunkSink sink, byte[] chunk, long total) throws IOException, InterruptedException {
            sink.reset();
            long start = System.nanoTime();
            long offset = 0;
            while (offset < total) {
                int n = (int) Math.min(chunk.length, total - offset);
                acquire(1);
                unacked.add(offset);
                out.writeInt(8 + n);
                out.writeLong(offset);
                out.write(chunk, 0, n);
                out.flush();
                offset += n;
            }
            acquire(window); // every chunk acknowledged
            long elapsed = System.nanoTime() - start;
            permits.release(window);
            sink.verify(total, chunk.length, "plain-socket server");
            return elapsed;
        }

        private void acquire(int n) throws InterruptedException {
            if (!permits.tryAcquire(n, 30, TimeUnit.SECONDS)) {
                throw new BenchmarkFailure("plain-socket bulk transfer: no ack within 30 s");
            }
            if (readerFailure != null) {
                throw new BenchmarkFailure("plain-socket bulk transfer failed: " + readerFailure, readerFailure);
            }
        }

        @Override
        public void close() {
            closing = true;
            PlainServer.closeQuietly(socket);
            PlainServer.join(reader);
        }
    }

    static double mibPerSecond(long bytes, long nanos) {
        return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
    }

    /** The median of a measure of each run. */
    private static double median(Usage[] runs, java.util.function.ToDoubleFunction<Usage> measure) {
        return median(Arrays.stream(runs).mapToDouble(measure).toArray());
    }

    /** The median: the middle value, or the mean of the two middle values. */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static String mib(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    private static String kib(int bytes) {
        return bytes % 1024 == 0 ? (bytes >> 10) + " KiB" : bytes + " byte";
    }
}
