package dev.hermod.internal.codec;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What one payload may cost the receiver once decoded, checked by walking its CBOR structure
 * before anything is decoded, so that a small payload cannot make the receiver allocate far more
 * than it holds (a map of a million one-letter keys is 6 MB of CBOR, and some 180 MB of Java
 * objects).
 *
 * <p>The walk allocates nothing. It counts every data item (array elements, map keys and values,
 * scalars) and estimates the heap the decoded values take from their shapes: a map entry, an
 * array slot, a boxed number, a string of so many bytes. Claims are trusted only as far as the
 * bytes bear them out: an array that announces a billion elements costs what its present
 * elements cost. Malformed input ends the walk quietly, leaving its description to the decoder.
 *
 * <p>Immutable and thread-safe.
 */
public record DecodeLimits(long maxDecodedBytes, long maxItems, int maxDepth, long maxStringBytes,
        long maxCollectionLength, long maxMapEntries) {

    /** One string (text or bytes) may be 16 MiB long by default, ... */
    public static final long DEFAULT_STRING_BYTES = 16L << 20;
    /** ... one array or collection hold 1,000,000 elements, and one map 1,000,000 entries. */
    public static final long DEFAULT_COLLECTION_LENGTH = 1_000_000;

    /**
     * The defaults, sized for a 1 GiB heap: a payload may decode to an estimated 64 MiB, hold
     * 4,000,000 data items, and nest 1,000 deep (Jackson's own nesting limit); one string may be
     * 16 MiB, one collection or map hold 1,000,000 elements or entries.
     */
    public static final DecodeLimits DEFAULT = new DecodeLimits(64L << 20, 4_000_000, 1_000);

    /** Limits with the default string, collection and map bounds. */
    public DecodeLimits(long maxDecodedBytes, long maxItems, int maxDepth) {
        this(maxDecodedBytes, maxItems, maxDepth, DEFAULT_STRING_BYTES, DEFAULT_COLLECTION_LENGTH,
                DEFAULT_COLLECTION_LENGTH);
    }

    /** Estimated heap of one map entry: a hash map node and its share of the table. */
    static final int ENTRY = 56;
    /** Estimated heap of one array or collection slot. */
    static final int SLOT = 8;
    /** Estimated heap of a scalar: a boxed number, or a small object. */
    static final int SCALAR = 16;
    /** Estimated heap of a string, besides two bytes per UTF-8 byte (its chars, or the parser's). */
    static final int STRING = 48;
    /** Estimated heap of an empty array or map object. */
    static final int CONTAINER = 48;

    public DecodeLimits {
        if (maxDecodedBytes < 1 || maxItems < 1 || maxDepth < 1 || maxStringBytes < 1 || maxCollectionLength < 1
                || maxMapEntries < 1) {
            throw new IllegalArgumentException("decode limits must be positive: " + maxDecodedBytes + ", "
                    + maxItems + ", " + maxDepth + ", " + maxStringBytes + ", " + maxCollectionLength + ", "
                    + maxMapEntries);
        }
    }

    /**
     * The most one byte of CBOR can cost decoded: a one-byte key (an empty string) opens a map
     * entry and a string (104), and its value takes at least one more byte.
     */
    static final int MAX_COST_PER_BYTE = ENTRY + STRING;

    /**
     * Tells whether a payload of {@code length} bytes is within every limit whatever it holds,
     * so that it need not be walked: it cannot hold more items or levels than it has bytes, nor
     * cost more than {@link #MAX_COST_PER_BYTE} per byte.
     */
    public boolean surelyWithin(long length) {
        return length <= maxItems && length <= maxDepth && length * MAX_COST_PER_BYTE <= maxDecodedBytes
                && length <= maxStringBytes && length <= maxCollectionLength && length <= maxMapEntries;
    }

    /** A coder that can tell, before decoding, what a payload will cost decoded. */
    public interface Sized {
        /**
         * Returns the estimated decoded size of the payload from its position to its limit,
         * leaving the buffer unchanged; for a payload {@link #surelyWithin} the limits, the bound
         * of {@link #MAX_COST_PER_BYTE} per byte, without walking it.
         *
         * @throws Exceeded if decoding it would go beyond the coder's limits
         */
        long decodedSize(ByteBuffer in) throws Exceeded;

        /**
         * Decodes a payload that {@link #decodedSize} has just accepted, without walking it
         * again; otherwise as {@link dev.hermod.codec.ValueCoder#decode}.
         */
        Object[] decodeSized(ByteBuffer in) throws java.io.IOException;
    }

    /** A payload is beyond the limits: the receiver refuses it before decoding it. */
    public static final class Exceeded extends IOException {
        private static final long serialVersionUID = 1L;

        Exceeded(String message) {
            super(message);
        }
    }

    /**
     * Walks the payload from its position to its limit (the buffer is left unchanged) and returns
     * its estimated decoded size.
     *
     * @throws Exceeded if the payload would decode beyond a limit; the message says which
     */
    public long check(ByteBuffer in) throws Exceeded {
        return new Walk(in, this).run();
    }

    /** One walk over one payload. */
    private static final class Walk {
        private final ByteBuffer in;
        private final DecodeLimits limits;
        private final int end;
        private int at;
        private long cost;
        private long items;
        /**
         * Per open container, the items still expected: a count for definite lengths (a map's is
         * twice its entries), or -1 for indefinite ones, which a break byte closes.
         */
        private long[] left = new long[16];
        /** Per open container: whether it is a map, and whether its next item is a key. */
        private boolean[] map = new boolean[16];
        private boolean[] keyNext = new boolean[16];
        /** Per open container: elements (or entries) met so far. */
        private long[] seen = new long[16];
        private int depth;

        Walk(ByteBuffer in, DecodeLimits limits) {
            this.in = in;
            this.limits = limits;
            this.at = in.position();
            this.end = in.limit();
        }

        long run() throws Exceeded {
            do {
                if (at >= end || !item()) {
                    return cost; // truncated or malformed: the decoder says what is wrong
                }
                while (depth > 0 && left[depth - 1] == 0) {
                    depth--; // every item of the innermost container is read
                }
            } while (depth > 0);
            return cost;
        }

        /** Reads one data item's head (after any tags), accounting for it; false on malformed input. */
        private boolean item() throws Exceeded {
            int initial = in.get(at++) & 0xFF;
            while (initial >>> 5 == 6) { // tags qualify the item that follows them
                if (!skipArgument(initial & 0x1F) || at >= end) {
                    return false;
                }
                initial = in.get(at++) & 0xFF;
            }
            if (initial == 0xFF) { // a break ends the innermost indefinite-length container
                if (depth == 0 || left[depth - 1] != -1) {
                    return false;
                }
                depth--;
                return true;
            }
            int major = initial >>> 5;
            int info = initial & 0x1F;
            if (depth > 0) {
                int d = depth - 1;
                if (left[d] > 0) {
                    left[d]--;
                }
                if (!map[d]) {
                    add(SLOT);
                    if (++seen[d] > limits.maxCollectionLength()) {
                        throw new Exceeded("an array holds more than " + limits.maxCollectionLength() + " elements");
                    }
                } else if (keyNext[d]) {
                    add(ENTRY); // an entry counts once, when its key is met
                    if (++seen[d] > limits.maxMapEntries()) {
                        throw new Exceeded("a map holds more than " + limits.maxMapEntries() + " entries");
                    }
                }
                keyNext[d] = !keyNext[d];
            }
            if (++items > limits.maxItems()) {
                throw new Exceeded("the payload holds more than " + limits.maxItems() + " data items");
            }
            long arg;
            if (info < 24) {
                arg = info;
            } else if (info <= 27) {
                arg = readArgument(info);
                if (arg == Long.MIN_VALUE) {
                    return false;
                }
            } else if (info == 31 && major >= 2 && major <= 5) {
                arg = -1; // indefinite length
            } else {
                return false; // reserved, or a break where none can be
            }
            switch (major) {
                case 0, 1 -> add(SCALAR);
                case 2, 3 -> {
                    if (arg == -1) {
                        return chunks(major);
                    }
                    if (arg < 0 || arg > end - at) {
                        return false;
                    }
                    string(arg);
                    add(major == 2 ? SCALAR + arg : STRING + 2 * arg);
                    at += (int) arg;
                }
                case 4, 5 -> {
                    add(CONTAINER);
                    if (arg != 0) {
                        open(major == 5, arg == -1 ? -1 : (major == 5 ? 2 * arg : arg));
                    }
                }
                default -> add(info >= 25 ? SCALAR : 0); // floats; simple values cost nothing
            }
            return true;
        }

        /** Reads the 1, 2, 4 or 8 argument bytes that {@code info} 24 to 27 announces; MIN_VALUE if truncated. */
        private long readArgument(int info) {
            int n = 1 << (info - 24);
            if (end - at < n) {
                return Long.MIN_VALUE;
            }
            long arg = 0;
            for (int i = 0; i < n; i++) {
                arg = (arg << 8) | (in.get(at++) & 0xFF);
            }
            return arg;
        }

        private boolean skipArgument(int info) {
            if (info < 24) {
                return true;
            }
            return info <= 27 && readArgument(info) != Long.MIN_VALUE;
        }

        /** An indefinite-length byte or text string: definite chunks of the same type up to a break. */
        private boolean chunks(int major) throws Exceeded {
            add(major == 2 ? SCALAR : STRING);
            long length = 0;
            while (at < end) {
                int initial = in.get(at++) & 0xFF;
                if (initial == 0xFF) {
                    return true;
                }
                int info = initial & 0x1F;
                if (initial >>> 5 != major || info > 27) {
                    return false;
                }
                long n = info < 24 ? info : readArgument(info);
                if (n < 0 || n > end - at) {
                    return false;
                }
                length += n;
                string(length);
                add(major == 2 ? n : 2 * n);
                at += (int) n;
            }
            return false;
        }

        private void open(boolean isMap, long count) throws Exceeded {
            if (depth >= limits.maxDepth()) {
                throw new Exceeded("the payload exceeds the maximum nesting depth of " + limits.maxDepth());
            }
            if (depth == left.length) {
                left = java.util.Arrays.copyOf(left, 2 * depth);
                map = java.util.Arrays.copyOf(map, 2 * depth);
                keyNext = java.util.Arrays.copyOf(keyNext, 2 * depth);
                seen = java.util.Arrays.copyOf(seen, 2 * depth);
            }
            seen[depth] = 0;
            left[depth] = count;
            map[depth] = isMap;
            keyNext[depth] = true;
            depth++;
        }

        private void string(long bytes) throws Exceeded {
            if (bytes > limits.maxStringBytes()) {
                throw new Exceeded("a string of the payload is longer than " + limits.maxStringBytes() + " bytes");
            }
        }

        private void add(long bytes) throws Exceeded {
            cost += bytes;
            if (cost > limits.maxDecodedBytes()) {
                throw new Exceeded("the payload would decode to more than " + (limits.maxDecodedBytes() >> 20)
                        + " MiB of objects (" + items + " data items read so far)");
            }
        }
    }
}
