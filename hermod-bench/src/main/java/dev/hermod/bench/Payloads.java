package dev.hermod.bench;

/**
 * Request payloads of the latency and throughput benchmarks: a big-endian sequence number in the
 * first 8 bytes, then the {@link ChunkSink#patternAt pattern}, so that every reply can be matched
 * to its request.
 */
final class Payloads {
    private Payloads() {}

    /** A new payload of {@code size} (at least 8) bytes carrying {@code seq}. */
    static byte[] of(int size, long seq) {
        byte[] b = ChunkSink.patternChunk(size);
        stamp(b, seq);
        return b;
    }

    /** Writes {@code seq} into the first 8 bytes of {@code b}. */
    static void stamp(byte[] b, long seq) {
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) seq;
            seq >>>= 8;
        }
    }

    /** Tells whether the first {@code length} bytes of {@code b} are the payload of that size for {@code seq}. */
    static boolean matches(byte[] b, int length, long seq) {
        for (int i = 7; i >= 0; i--) {
            if (b[i] != (byte) seq) {
                return false;
            }
            seq >>>= 8;
        }
        for (int i = 8; i < length; i++) {
            if (b[i] != ChunkSink.patternAt(i)) {
                return false;
            }
        }
        return true;
    }
}
