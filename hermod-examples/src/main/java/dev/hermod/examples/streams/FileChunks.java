package dev.hermod.examples.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file as a cold {@link Flow.Publisher} of chunks: each subscription opens the file and reads
 * one chunk per item its subscriber asked for, never ahead, so memory holds a chunk at a time
 * however large the file. Signals come from {@code executor}, one at a time (Reactive Streams rule
 * 1.3); {@code cancel()} closes the file. This is what a servant's publisher should look like:
 * Hermod asks it only for what the remote subscriber's credit allows. Thread-safe.
 */
final class FileChunks implements Flow.Publisher<byte[]> {
    private final Path file;
    private final int chunkSize;
    private final Executor executor;

    FileChunks(Path file, int chunkSize, Executor executor) {
        this.file = file;
        this.chunkSize = chunkSize;
        this.executor = executor;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super byte[]> subscriber) {
        Reading reading = new Reading(subscriber);
        subscriber.onSubscribe(reading);
        reading.drain();
    }

    /** One subscription: demand, and a drain loop that runs on the executor, one run at a time. */
    private final class Reading implements Flow.Subscription, Runnable {
        private final Flow.Subscriber<? super byte[]> subscriber;
        private final AtomicInteger wip = new AtomicInteger();
        /** Items asked for and not yet sent. Guarded by this. */
        private long demand;
        /** Set by cancel(), or by a request(n) with n <= 0. Guarded by this. */
        private boolean canceled;
        private Throwable badRequest;
        /** Only the drain loop touches these. */
        private FileChannel channel;
        private long position;
        private boolean done;

        Reading(Flow.Subscriber<? super byte[]> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                if (n <= 0) {
                    badRequest = new IllegalArgumentException("request(" + n + "): ask for at least 1 (rule 3.9)");
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
            }
            drain();
        }

        @Override
        public void cancel() {
            synchronized (this) {
                canceled = true;
            }
            drain();
        }

        void drain() {
            if (wip.getAndIncrement() == 0) {
                executor.execute(this);
            }
        }

        @Override
        public void run() {
            int missed = 1;
            do {
                while (!done) {
                    Throwable bad;
                    boolean stop;
                    synchronized (this) {
                        bad = badRequest;
                        stop = canceled || bad != null || demand == 0;
                        if (!stop) {
                            demand--;
                        }
                    }
                    if (bad != null || canceled()) {
                        finish(bad, false);
                        break;
                    }
                    if (stop) {
                        break;
                    }
                    byte[] chunk;
                    try {
                        chunk = next();
                    } catch (IOException | UncheckedIOException e) {
                        finish(e, false);
                        break;
                    }
                    if (chunk == null) {
                        finish(null, true);
                        break;
                    }
                    subscriber.onNext(chunk);
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }

        private synchronized boolean canceled() {
            return canceled;
        }

        /** The next chunk, or null at the end of the file. */
        private byte[] next() throws IOException {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            ByteBuffer buffer = ByteBuffer.allocate(chunkSize);
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position + buffer.position());
                if (n < 0) {
                    break;
                }
            }
            if (buffer.position() == 0) {
                return null;
            }
            position += buffer.position();
            return buffer.position() == chunkSize ? buffer.array() : Arrays.copyOf(buffer.array(), buffer.position());
        }

        /** Closes the file, and tells the subscriber how it ended unless it canceled. */
        private void finish(Throwable failure, boolean completed) {
            done = true;
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // read-only: nothing was lost
                }
            }
            if (failure != null) {
                subscriber.onError(failure instanceof IllegalArgumentException ? failure
                        : new IOException("cannot read " + file.getFileName() + ": " + failure.getMessage(), failure));
            } else if (completed) {
                subscriber.onComplete();
            }
        }
    }
}
