package dev.hermod;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** {@link ByteBuffer} parameters and results (PROTOCOL.md section 30), for {@link ByteBufferTest} and its kin. */
@Remote
public interface Buffers {
    /** A checksum of the buffer's remaining bytes; the servant reads a duplicate. */
    long sum(ByteBuffer data);

    /** Several buffers mixed with other parameters: {@code tag n |a| |b| sum(a) sum(b)}. */
    String mixed(String tag, ByteBuffer a, int n, ByteBuffer b, ByteBuffer c);

    /** The buffer as it came: a view of the request's frame, sent back as the result. */
    ByteBuffer echo(ByteBuffer data);

    /** {@code size} pattern bytes in a new heap or direct buffer, position 3 and limit 3 + size. */
    ByteBuffer make(int size, boolean direct);

    /** What the servant saw: read-only, position 0, and its remaining bytes. */
    String inspect(ByteBuffer data);

    /** Throws an undeclared exception after reading the buffer. */
    long fail(ByteBuffer data);

    /** Sleeps {@code millis} (interruptibly), then returns {@link #sum}. */
    long slow(ByteBuffer data, long millis);

    /** As {@link #sum}, answered later, on another thread, after {@code millis}. */
    CompletionStage<Long> sumLater(ByteBuffer data, long millis);

    /** {@link #echo}, run at most once per call id: its reply is remembered, and carries no segment. */
    @Deduplicated
    ByteBuffer echoOnce(ByteBuffer data);

    /** A checksum a test computes on the caller's side as the servant does. */
    static long checksum(ByteBuffer data) {
        ByteBuffer d = data.duplicate();
        long sum = 0;
        int i = 0;
        while (d.hasRemaining()) {
            sum = sum * 31 + (d.get() & 0xFF) + i++;
        }
        return sum;
    }

    /** A buffer of {@code size} bytes, seeded so that different calls carry different bytes. */
    static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 7 + seed);
        }
        return b;
    }

    /** The servant. */
    final class Impl implements Buffers {
        private final Executor later = CompletableFuture.delayedExecutor(0, TimeUnit.MILLISECONDS);

        @Override
        public long sum(ByteBuffer data) {
            return checksum(data);
        }

        @Override
        public String mixed(String tag, ByteBuffer a, int n, ByteBuffer b, ByteBuffer c) {
            return tag + " " + n + " " + size(a) + " " + size(b) + " " + size(c) + " "
                    + (a == null ? 0 : checksum(a)) + " " + (b == null ? 0 : checksum(b));
        }

        private static String size(ByteBuffer b) {
            return b == null ? "null" : Integer.toString(b.remaining());
        }

        @Override
        public ByteBuffer echo(ByteBuffer data) {
            return data;
        }

        @Override
        public ByteBuffer make(int size, boolean direct) {
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(size + 8) : ByteBuffer.allocate(size + 8);
            b.position(3);
            b.put(pattern(size, 1));
            return b.flip().position(3);
        }

        @Override
        public ByteBuffer echoOnce(ByteBuffer data) {
            return data;
        }

        @Override
        public String inspect(ByteBuffer data) {
            return data.isReadOnly() + " " + data.position() + " " + data.remaining();
        }

        @Override
        public long fail(ByteBuffer data) {
            throw new IllegalStateException("failing on purpose after " + checksum(data));
        }

        @Override
        public long slow(ByteBuffer data, long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return checksum(data);
        }

        @Override
        public CompletionStage<Long> sumLater(ByteBuffer data, long millis) {
            return CompletableFuture.supplyAsync(() -> checksum(data),
                    CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS, later));
        }
    }
}
