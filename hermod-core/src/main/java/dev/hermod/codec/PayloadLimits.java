package dev.hermod.codec;

import dev.hermod.Client;
import dev.hermod.Server;
import dev.hermod.Status;

/**
 * What one received payload (the arguments of a call, or a result) may make the default codec
 * build, checked by walking its encoded form before anything is decoded: a payload beyond a limit
 * is refused whole, and the call fails with {@link Status#RESOURCE_EXHAUSTED} (unprocessed, when
 * it is a request's arguments) whose message names the limit. The connection and every other call
 * go on. Set them with {@link Server.Builder#payloadLimits} and {@link Client.Builder#payloadLimits};
 * they apply to the default codec only (a codec of your own bounds its own decoding).
 *
 * <pre>{@code
 * Hermod.server().payloadLimits(PayloadLimits.defaults().withMaxStringBytes(64 * 1024).withMaxDepth(32))
 * }</pre>
 *
 * <p>Immutable and thread-safe: each {@code with} method returns a copy.
 *
 * @since 0.2
 */
public final class PayloadLimits {
    private static final PayloadLimits DEFAULTS = new PayloadLimits(64L << 20, 4_000_000, 1_000, 16L << 20,
            1_000_000, 1_000_000);

    private final long maxDecodedBytes;
    private final long maxItems;
    private final int maxDepth;
    private final long maxStringBytes;
    private final long maxCollectionLength;
    private final long maxMapEntries;

    private PayloadLimits(long maxDecodedBytes, long maxItems, int maxDepth, long maxStringBytes,
            long maxCollectionLength, long maxMapEntries) {
        this.maxDecodedBytes = maxDecodedBytes;
        this.maxItems = maxItems;
        this.maxDepth = maxDepth;
        this.maxStringBytes = maxStringBytes;
        this.maxCollectionLength = maxCollectionLength;
        this.maxMapEntries = maxMapEntries;
    }

    /**
     * The defaults, sized for a 1 GiB heap: an estimated 64 MiB of decoded objects, 4,000,000 data
     * items, nesting 1,000 deep, strings of 16 MiB, 1,000,000 elements per collection and
     * 1,000,000 entries per map.
     *
     * @return the defaults
     */
    public static PayloadLimits defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with another bound on the estimated heap the decoded values take. Default: 64 MiB.
     *
     * @param bytes positive
     * @return the copy
     */
    public PayloadLimits withMaxDecodedBytes(long bytes) {
        return new PayloadLimits(positive(bytes, "maxDecodedBytes"), maxItems, maxDepth, maxStringBytes,
                maxCollectionLength, maxMapEntries);
    }

    /**
     * Returns a copy with another bound on the data items of one payload (elements, keys, values,
     * scalars, all counted). Default: 4,000,000.
     *
     * @param items positive
     * @return the copy
     */
    public PayloadLimits withMaxItems(long items) {
        return new PayloadLimits(maxDecodedBytes, positive(items, "maxItems"), maxDepth, maxStringBytes,
                maxCollectionLength, maxMapEntries);
    }

    /**
     * Returns a copy with another bound on nesting (records, collections and maps inside each
     * other). Default: 1,000.
     *
     * @param depth positive
     * @return the copy
     */
    public PayloadLimits withMaxDepth(int depth) {
        return new PayloadLimits(maxDecodedBytes, maxItems, (int) positive(depth, "maxDepth"), maxStringBytes,
                maxCollectionLength, maxMapEntries);
    }

    /**
     * Returns a copy with another bound on the length of one string or byte array, in bytes as
     * encoded (UTF-8 for text). Default: 16 MiB.
     *
     * @param bytes positive
     * @return the copy
     */
    public PayloadLimits withMaxStringBytes(long bytes) {
        return new PayloadLimits(maxDecodedBytes, maxItems, maxDepth, positive(bytes, "maxStringBytes"),
                maxCollectionLength, maxMapEntries);
    }

    /**
     * Returns a copy with another bound on the elements of one list, set, array or collection.
     * Default: 1,000,000.
     *
     * @param elements positive
     * @return the copy
     */
    public PayloadLimits withMaxCollectionLength(long elements) {
        return new PayloadLimits(maxDecodedBytes, maxItems, maxDepth, maxStringBytes,
                positive(elements, "maxCollectionLength"), maxMapEntries);
    }

    /**
     * Returns a copy with another bound on the entries (keys) of one map, or the properties of one
     * record or bean as sent. Default: 1,000,000.
     *
     * @param entries positive
     * @return the copy
     */
    public PayloadLimits withMaxMapEntries(long entries) {
        return new PayloadLimits(maxDecodedBytes, maxItems, maxDepth, maxStringBytes, maxCollectionLength,
                positive(entries, "maxMapEntries"));
    }

    /**
     * Returns the bound on the estimated decoded heap, in bytes.
     *
     * @return the bound on the estimated decoded heap, in bytes
     */
    public long maxDecodedBytes() {
        return maxDecodedBytes;
    }

    /**
     * Returns the bound on data items per payload.
     *
     * @return the bound on data items per payload
     */
    public long maxItems() {
        return maxItems;
    }

    /**
     * Returns the bound on nesting.
     *
     * @return the bound on nesting
     */
    public int maxDepth() {
        return maxDepth;
    }

    /**
     * Returns the bound on one string's encoded bytes.
     *
     * @return the bound on one string's encoded bytes
     */
    public long maxStringBytes() {
        return maxStringBytes;
    }

    /**
     * Returns the bound on one collection's elements.
     *
     * @return the bound on one collection's elements
     */
    public long maxCollectionLength() {
        return maxCollectionLength;
    }

    /**
     * Returns the bound on one map's entries.
     *
     * @return the bound on one map's entries
     */
    public long maxMapEntries() {
        return maxMapEntries;
    }

    @Override
    public String toString() {
        return "PayloadLimits[decoded=" + maxDecodedBytes + " B, items=" + maxItems + ", depth=" + maxDepth
                + ", string=" + maxStringBytes + " B, collection=" + maxCollectionLength + ", map=" + maxMapEntries + "]";
    }

    private static long positive(long n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + n);
        }
        return n;
    }
}
