package dev.hermod.bench;

/**
 * The receiving end of a bulk transfer, shared by the Hermod servant and the plain-socket server so
 * that both do the same work per chunk: count the bytes and chunks, add up the offsets, and check
 * the first and last byte of each chunk against the pattern the sender uses. {@link #verify} then
 * tells whether exactly the sent chunks arrived, in any order. Thread-safe.
 */
final class ChunkSink {
    private long bytes;
    private long chunks;
    private long offsetSum;
    private long highestOffset;
    private long reordered;
    private String firstError;

    ChunkSink() {
        reset();
    }

    /** The byte at index {@code i} of every chunk a sender sends. */
    static byte patternAt(int i) {
        return (byte) (i * 31 + 7);
    }

    /** A chunk of {@code size} bytes filled with the pattern. */
    static byte[] patternChunk(int size) {
        byte[] chunk = new byte[size];
        for (int i = 0; i < size; i++) {
            chunk[i] = patternAt(i);
        }
        return chunk;
    }

    /** Forgets everything received so far, before a new run. */
    synchronized void reset() {
        bytes = 0;
        chunks = 0;
        offsetSum = 0;
        highestOffset = -1;
        reordered = 0;
        firstError = null;
    }

    /** Takes the chunk at {@code offset}: the first {@code length} bytes of {@code data}. */
    synchronized void accept(long offset, byte[] data, int length) {
        if (firstError == null) {
            if (offset < 0 || length < 0 || length > data.length) {
                firstError = "bad chunk: offset " + offset + ", length " + length;
            } else if (length > 0 && (data[0] != patternAt(0) || data[length - 1] != patternAt(length - 1))) {
                firstError = "corrupt chunk at offset " + offset;
            }
        }
        count(offset, length);
    }

    private void count(long offset, int length) {
        if (offset < highestOffset) {
            reordered++;
        } else {
            highestOffset = offset;
        }
        bytes += length;
        chunks++;
        offsetSum += offset;
    }

    /** Takes the chunk at {@code offset}: the remaining bytes of {@code data}, which it does not move. */
    synchronized void accept(long offset, java.nio.ByteBuffer data) {
        int length = data.remaining();
        if (firstError == null && length > 0 && (data.get(data.position()) != patternAt(0)
                || data.get(data.limit() - 1) != patternAt(length - 1))) {
            firstError = "corrupt chunk at offset " + offset;
        }
        count(offset, length);
    }

    /** Chunks that arrived after a chunk with a higher offset, since the last reset. */
    synchronized long reordered() {
        return reordered;
    }

    /**
     * Checks that exactly the chunks of a {@code total}-byte transfer in {@code chunk}-byte pieces
     * arrived since the last reset.
     *
     * @throws BenchmarkFailure if anything is missing, extra or corrupt
     */
    synchronized void verify(long total, int chunk, String who) {
        long n = (total + chunk - 1) / chunk;
        if (firstError != null || bytes != total || chunks != n || offsetSum != expectedOffsetSum(n, chunk)) {
            throw new BenchmarkFailure(who + ": received " + bytes + " bytes in " + chunks + " chunks, expected "
                    + total + " bytes in " + n + " chunks" + (firstError == null ? "" : "; " + firstError)
                    + (offsetSum != expectedOffsetSum(n, chunk) ? "; offsets do not add up" : ""));
        }
    }

    /** chunk * (0 + 1 + ... + n-1), with the same wrap-around as the running sum. */
    private static long expectedOffsetSum(long n, long chunk) {
        long triangle = n % 2 == 0 ? (n / 2) * (n - 1) : n * ((n - 1) / 2);
        return triangle * chunk;
    }
}
