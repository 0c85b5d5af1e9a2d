package dev.hermod.bench;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Remote;
import dev.hermod.Server;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The streaming scenario (issue "Streams and pipelined promises"): a servant's
 * {@code Flow.Publisher<byte[]>} result streamed to a subscriber that asks for
 * {@value #BATCH} items at a time, against the same bytes as length-prefixed frames over a plain
 * socket, read into one reused buffer. Items of 1 KiB (a sixteenth of {@code --bytes}) and 64 KiB
 * ({@code --bytes}); each side warms up, then runs alternate, and the median of {@code --runs}
 * is reported. Every item's length is checked.
 */
public final class StreamBenchmark {
    /** What a subscriber asks for at once, and asks again for when half has come. */
    static final int BATCH = 256;

    /** A source of items. */
    @Remote
    public interface Source {
        /** {@code count} items of {@code size} bytes each. */
        Flow.Publisher<byte[]> items(int count, int size);
    }

    /** Publishes one reused array {@code count} times, never more than requested. */
    static final class Items implements Flow.Publisher<byte[]> {
        private final int count;
        private final byte[] item;

        Items(int count, int size) {
            this.count = count;
            this.item = new byte[size];
        }

        @Override
        public void subscribe(Flow.Subscriber<? super byte[]> subscriber) {
            subscriber.onSubscribe(new Flow.Subscription() {
                private final AtomicLong demand = new AtomicLong();
                private int sent;
                private volatile boolean canceled;

                @Override
                public void request(long n) {
                    if (n <= 0 || demand.getAndAdd(n) > 0) {
                        return; // the thread already emitting goes on (rule 3.3: no recursion)
                    }
                    long granted = n;
                    while (true) {
                        for (long i = 0; i < granted && sent < count && !canceled; i++) {
                            sent++;
                            subscriber.onNext(item);
                        }
                        if (sent == count && !canceled) {
                            canceled = true;
                            subscriber.onComplete();
                        }
                        granted = demand.addAndGet(-granted);
                        if (granted == 0 || canceled) {
                            return;
                        }
                    }
                }

                @Override
                public void cancel() {
                    canceled = true;
                }
            });
        }
    }

    private StreamBenchmark() {}

    static void run(Options o, Report report) throws Exception {
        Source servant = Items::new;
        try (Server server = Hermod.server().host("127.0.0.1").add("source", Source.class, servant).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port());
                PlainServer plain = new PlainServer("bench-stream", StreamBenchmark::serve);
                Socket socket = plain.connect()) {
            Source source = client.proxy(Source.class, "source");
            DataOutputStream toPlain = new DataOutputStream(socket.getOutputStream());
            DataInputStream fromPlain = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            report.line("stream: a Flow.Publisher<byte[]> result asking %d items at a time, against length-prefixed"
                    + " frames over a plain socket; 1 KiB items (%s per run) and 64 KiB items (%s per run);"
                    + " median of %d alternating runs", BATCH, mib(o.bytes() / 16), mib(o.bytes()), o.runs());
            for (int size : new int[] {1024, 64 * 1024}) {
                long bytes = size == 1024 ? o.bytes() / 16 : o.bytes();
                int count = (int) Math.max(1, bytes / size);
                String label = size == 1024 ? "1k" : "64k";
                if (o.warmupBytes() > 0) {
                    int warmCount = (int) Math.max(1, (size == 1024 ? o.warmupBytes() / 16 : o.warmupBytes()) / size);
                    long max = o.warmupMax().toNanos();
                    WarmUp.run(report, "stream: hermod " + label, "MiB/s", max,
                            () -> rate(warmCount, size, hermod(source, warmCount, size)));
                    WarmUp.run(report, "stream: socket " + label, "MiB/s", max,
                            () -> rate(warmCount, size, socket(toPlain, fromPlain, warmCount, size)));
                }
                double[] hermodRates = new double[o.runs()];
                double[] socketRates = new double[o.runs()];
                for (int i = 0; i < o.runs(); i++) {
                    hermodRates[i] = rate(count, size, hermod(source, count, size));
                    socketRates[i] = rate(count, size, socket(toPlain, fromPlain, count, size));
                    report.line("stream: run %d/%d %s items: hermod %.1f MiB/s, socket %.1f MiB/s", i + 1, o.runs(),
                            label, hermodRates[i], socketRates[i]);
                }
                double h = BulkBenchmark.median(hermodRates);
                double s = BulkBenchmark.median(socketRates);
                report.result("stream." + label + ".hermod.throughput", h, "MiB/s");
                report.result("stream." + label + ".socket.throughput", s, "MiB/s");
                report.result("stream." + label + ".ratio", h / s, "ratio");
            }
            if (plain.failure() != null) {
                throw new BenchmarkFailure("the plain-socket server failed", plain.failure());
            }
        }
    }

    private static double rate(int count, int size, long nanos) {
        return BulkBenchmark.mibPerSecond((long) count * size, nanos);
    }

    /** Streams {@code count} items through Hermod; returns the nanoseconds it took. */
    private static long hermod(Source source, int count, int size) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        source.items(count, size).subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;
            private long received;
            private int sinceRequest;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(BATCH);
            }

            @Override
            public void onNext(byte[] item) {
                if (item.length != size) {
                    subscription.cancel();
                    done.completeExceptionally(new BenchmarkFailure("an item of " + item.length + " bytes, not " + size));
                    return;
                }
                received++;
                if (++sinceRequest == BATCH / 2) {
                    sinceRequest = 0;
                    subscription.request(BATCH / 2);
                }
            }

            @Override
            public void onError(Throwable failure) {
                done.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                done.complete(received);
            }
        });
        long received = done.get(10, TimeUnit.MINUTES);
        long nanos = System.nanoTime() - t0;
        if (received != count) {
            throw new BenchmarkFailure("received " + received + " items of " + count);
        }
        return nanos;
    }

    /** Asks the plain server for {@code count} frames of {@code size} bytes and reads them. */
    private static long socket(DataOutputStream out, DataInputStream in, int count, int size) throws IOException {
        byte[] buf = new byte[size];
        long t0 = System.nanoTime();
        out.writeInt(count);
        out.writeInt(size);
        out.flush();
        for (int i = 0; i < count; i++) {
            int length = in.readInt();
            if (length != size) {
                throw new BenchmarkFailure("a frame of " + length + " bytes, not " + size);
            }
            in.readFully(buf, 0, length);
        }
        return System.nanoTime() - t0;
    }

    /** The baseline server: for each request (count, size), writes that many frames from one array. */
    private static void serve(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        while (true) {
            int count;
            try {
                count = in.readInt();
            } catch (EOFException e) {
                return;
            }
            int size = in.readInt();
            if (size < 0 || size > Options.MAX_CHUNK) {
                throw new IOException("bad item size " + size);
            }
            byte[] item = new byte[size];
            for (int i = 0; i < count; i++) {
                out.writeInt(size);
                out.write(item);
            }
            out.flush();
        }
    }

    private static String mib(long bytes) {
        return bytes / (1024 * 1024) + " MiB";
    }
}
