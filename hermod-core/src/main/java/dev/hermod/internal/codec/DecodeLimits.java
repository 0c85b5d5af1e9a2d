package dev.hermod.internal.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What one payload may cost the receiver once decoded, checked by walking its CBOR structure
 * before anything is decoded, so that a small payload cannot make the receiver allocate far more
 * than it holds (a map of a million one-letter keys is 6 MB of CBOR, and some 180 MB of Java
 * objects).
 *
 * <p>The walk allocates nothing but its small per-level arrays (and, for a direct buffer, a copy
 * of the payload). It counts every data item (array elements, map keys and values,
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
     * its estimated decoded size. A heap buffer is walked where it lies; a direct one is copied
     * first.
     *
     * @throws Exceeded if the payload would decode beyond a limit; the message says which
     */
    public long check(ByteBuffer in) throws Exceeded {
        if (in.hasArray()) {
            return new Walk(this).run(in.array(), in.arrayOffset() + in.position(), in.arrayOffset() + in.limit());
        }
        byte[] copy = new byte[in.remaining()];
        in.duplicate().get(copy);
        return new Walk(this).run(copy, 0, copy.length);
    }

    /**
     * One walk over one payload. The loop keeps its position and counts in locals, and reads the
     * bytes from the array: run on the receiving thread before every large payload is decoded, it
     * is part of each such call's cost (a list of 100 six-field records, 7 KB, took 15.5 us to
     * walk through a {@code ByteBuffer}, a quarter of its decoding).
     */
    private static final class Walk {
        private static final byte ARRAY = 0;
        private static final byte KEY = 1;
        private static final byte VALUE = 2;

        private final DecodeLimits limits;
        /**
         * Per open container, the items still expected: a count for definite lengths (a map's is
         * twice its entries), or -1 for indefinite ones, which a break byte closes.
         */
        private long[] left = new long[16];
        /** Per open container: {@link #ARRAY}, {@link #KEY} (a map whose next item is a key) or {@link #VALUE}. */
        private byte[] kind = new byte[16];
        /** Per open container: elements (or entries) met so far. */
        private long[] seen = new long[16];
        /** The cost once {@link #chunks} returns. */
        private long costAfterChunks;

        Walk(DecodeLimits limits) {
            this.limits = limits;
        }

        /**
         * Walks {@code a} from {@code at} to {@code end}, accounting for each data item (after
         * its tags), and returns the estimated cost: at the end of the outermost item, or where
         * the input turns out truncated or malformed.
         */
        long run(byte[] a, int at, int end) throws Exceeded {
            long cost = 0;
            long items = 0;
            int depth = 0;
            do {
                if (at >= end) {
                    return cost;
                }
                int initial = a[at++] & 0xFF;
                while (initial >>> 5 == 6) { // tags qualify the item that follows them
                    int info = initial & 0x1F;
                    if (info >= 24) {
                        if (info > 27 || end - at < 1 << (info - 24)) {
                            return cost;
                        }
                        at += 1 << (info - 24);
                    }
                    if (at >= end) {
                        return cost;
                    }
                    initial = a[at++] & 0xFF;
                }
                if (initial == 0xFF) { // a break ends the innermost indefinite-length container
                    if (depth == 0 || left[depth - 1] != -1) {
                        return cost;
                    }
                    depth--;
                } else {
                    int major = initial >>> 5;
                    int info = initial & 0x1F;
                    if (depth > 0) {
                        int d = depth - 1;
                        if (left[d] > 0) {
                            left[d]--;
                        }
                        byte k = kind[d];
                        if (k == ARRAY) {
                            cost = add(cost, SLOT, items);
                            if (++seen[d] > limits.maxCollectionLength) {
                                throw new Exceeded("an array holds more than " + limits.maxCollectionLength
                                        + " elements");
                            }
                        } else if (k == KEY) {
                            cost = add(cost, ENTRY, items); // an entry counts once, when its key is met
                            if (++seen[d] > limits.maxMapEntries) {
                                throw new Exceeded("a map holds more than " + limits.maxMapEntries + " entries");
                            }
                            kind[d] = VALUE;
                        } else {
                            kind[d] = KEY;
                        }
                    }
                    if (++items > limits.maxItems) {
                        throw new Exceeded("the payload holds more than " + limits.maxItems + " data items");
                    }
                    long arg;
                    if (info < 24) {
                        arg = info;
                    } else if (info <= 27) {
                        int n = 1 << (info - 24);
                        if (end - at < n) {
                            return cost;
                        }
                        arg = 0;
                        for (int i = 0; i < n; i++) {
                            arg = (arg << 8) | (a[at++] & 0xFF);
                        }
                    } else if (info == 31 && major >= 2 && major <= 5) {
                        arg = -1; // indefinite length
                    } else {
                        return cost; // reserved, or a break where none can be
                    }
                    switch (major) {
                        case 0, 1 -> cost = add(cost, SCALAR, items);
                        case 2, 3 -> {
                            if (arg == -1) {
                                int next = chunks(a, at, end, major, cost, items);
                                cost = costAfterChunks;
                                if (next < 0) {
                                    return cost;
                                }
                                at = next;
                            } else {
                                if (arg < 0 || arg > end - at) {
                                    return cost;
                                }
                                string(arg);
                                cost = add(cost, major == 2 ? SCALAR + arg : STRING + 2 * arg, items);
                                at += (int) arg;
                            }
                        }
                        case 4, 5 -> {
                            cost = add(cost, CONTAINER, items);
                            if (arg != 0) {
                                open(depth, major == 5, arg == -1 ? -1 : (major == 5 ? 2 * arg : arg));
                                depth++;
                            }
                        }
                        default -> cost = add(cost, info >= 25 ? SCALAR : 0, items); // floats; simple values cost nothing
                    }
                }
                while (depth > 0 && left[depth - 1] == 0) {
                    depth--; // every item of the innermost container is read
                }
            } while (depth > 0);
            return cost;
        }

        /**
         * An indefinite-length byte or text string from {@code at}: definite chunks of the same
         * type up to a break. Returns the position after the break, or -1 if the input is
         * truncated or malformed; the cost is then in {@link #costAfterChunks}.
         */
        private int chunks(byte[] a, int at, int end, int major, long cost, long items) throws Exceeded {
            cost = add(cost, major == 2 ? SCALAR : STRING, items);
            long length = 0;
            try {
                while (at < end) {
                    int initial = a[at++] & 0xFF;
                    if (initial == 0xFF) {
                        return at;
                    }
                    int info = initial & 0x1F;
                    if (initial >>> 5 != major || info > 27) {
                        return -1;
                    }
                    long n = info;
                    if (info >= 24) {
                        int bytes = 1 << (info - 24);
                        if (end - at < bytes) {
                            return -1;
                        }
                        n = 0;
                        for (int i = 0; i < bytes; i++) {
                            n = (n << 8) | (a[at++] & 0xFF);
                        }
                    }
                    if (n < 0 || n > end - at) {
                        return -1;
                    }
                    length += n;
                    string(length);
                    cost = add(cost, major == 2 ? n : 2 * n, items);
                    at += (int) n;
                }
                return -1;
            } finally {
                costAfterChunks = cost;
            }
        }

        /** Opens the container at {@code depth}, of {@code count} items (-1: indefinite). */
        private void open(int depth, boolean isMap, long count) throws Exceeded {
            if (depth >= limits.maxDepth) {
                throw new Exceeded("the payload exceeds the maximum nesting depth of " + limits.maxDepth);
            }
            if (depth == left.length) {
                left = Arrays.copyOf(left, 2 * depth);
                kind = Arrays.copyOf(kind, 2 * depth);
                seen = Arrays.copyOf(seen, 2 * depth);
            }
            seen[depth] = 0;
            left[depth] = count;
            kind[depth] = isMap ? KEY : ARRAY;
        }

        private void string(long bytes) throws Exceeded {
            if (bytes > limits.maxStringBytes) {
                throw new Exceeded("a string of the payload is longer than " + limits.maxStringBytes + " bytes");
            }
        }

        /** {@code cost} plus {@code bytes}, unless that is beyond the limit; {@code items}: read so far. */
        private long add(long cost, long bytes, long items) throws Exceeded {
            long sum = cost + bytes;
            if (sum > limits.maxDecodedBytes) {
                throw new Exceeded("the payload would decode to more than " + (limits.maxDecodedBytes >> 20)
                        + " MiB of objects (" + items + " data items read so far)");
            }
            return sum;
        }
    }
}
