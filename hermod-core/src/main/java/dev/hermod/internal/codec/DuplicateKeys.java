package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;

/**
 * A parser that refuses a map repeating one of its keys (PROTOCOL.md, "record, bean": duplicate
 * keys are rejected), for a codec whose factory leaves Jackson's
 * {@code STRICT_DUPLICATE_DETECTION} off. Jackson's detector makes a {@code HashSet} for every map
 * of three keys or more: a record of six components cost some 300 bytes and a fifth of its
 * decoding time (hermod-bench's fan-out scenario, async-profiler). This one remembers the keys of
 * the open maps in one reusable array, compares a new key with the few before it, and makes a set
 * only for a map of more than {@value #SCANNED} keys, as Jackson did.
 *
 * <p>Every token passes through {@link #nextToken()}: the other methods that advance
 * ({@link #nextValue()}, {@link #skipChildren()}, and {@code nextFieldName}, {@code nextTextValue}
 * and the like, which Jackson implements with {@code nextToken}) go through it too, so the keys of
 * a skipped value are checked as Jackson checked them.
 *
 * <p>Not thread-safe: one decoding at a time, as the parser it wraps; {@link #over} points a
 * reused one at its next parser.
 */
final class DuplicateKeys extends JsonParserDelegate {
    /** A map of more keys than this gets a set of its keys. */
    static final int SCANNED = 8;

    // Small at first, grown as deeper maps need: a parser made for one message (a large one, or
    // on a virtual thread) makes these too.
    /** The keys of the open maps, outermost first, each map's at most {@link #SCANNED}. */
    private String[] keys = new String[SCANNED];
    /** For each open map, where its keys start in {@link #keys}. */
    private int[] starts = new int[4];
    /** For each open map of more than {@link #SCANNED} keys, the set of them; else null. */
    private HashSet<?>[] sets = new HashSet<?>[4];
    /** Open maps. */
    private int depth;
    /** Keys held in {@link #keys}. */
    private int used;

    DuplicateKeys(JsonParser parser) {
        super(parser);
    }

    /** Points this at {@code parser}, before its next value, forgetting any map still open. */
    DuplicateKeys over(JsonParser parser) {
        delegate = parser;
        Arrays.fill(sets, 0, depth, null);
        Arrays.fill(keys, 0, used, null); // nothing of the last message is kept alive
        depth = 0;
        used = 0;
        return this;
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken t = delegate.nextToken();
        if (t == JsonToken.FIELD_NAME) {
            key(delegate.currentName());
        } else if (t == JsonToken.START_OBJECT) {
            mapStarts();
        } else if (t == JsonToken.END_OBJECT && depth > 0) {
            mapEnds();
        }
        return t;
    }

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    @Override
    public JsonParser skipChildren() throws IOException {
        JsonToken t = currentToken();
        if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
            return this;
        }
        for (int open = 1; open > 0; ) {
            JsonToken n = nextToken();
            if (n == null) {
                return this; // the input ended: the caller sees it next
            }
            if (n.isStructStart()) {
                open++;
            } else if (n.isStructEnd()) {
                open--;
            }
        }
        return this;
    }

    private void mapStarts() {
        if (depth == starts.length) {
            starts = Arrays.copyOf(starts, depth * 2);
            sets = Arrays.copyOf(sets, depth * 2);
        }
        starts[depth++] = used;
    }

    private void mapEnds() {
        depth--;
        int start = starts[depth];
        Arrays.fill(keys, start, used, null);
        used = start;
        sets[depth] = null;
    }

    @SuppressWarnings("unchecked")
    private void key(String name) throws JsonParseException {
        if (depth == 0) {
            return; // a key outside any map: the parser never makes one
        }
        int start = starts[depth - 1];
        HashSet<String> set = (HashSet<String>) sets[depth - 1];
        if (set != null) {
            if (!set.add(name)) {
                throw duplicate(name);
            }
            return;
        }
        for (int i = start; i < used; i++) {
            if (name.equals(keys[i])) {
                throw duplicate(name);
            }
        }
        if (used - start < SCANNED) {
            if (used == keys.length) {
                keys = Arrays.copyOf(keys, used * 2);
            }
            keys[used++] = name;
            return;
        }
        set = new HashSet<>(2 * SCANNED + 2);
        for (int i = start; i < used; i++) {
            set.add(keys[i]);
        }
        set.add(name);
        sets[depth - 1] = set;
    }

    private JsonParseException duplicate(String name) {
        // Jackson's message for the same failure
        return new JsonParseException(this, "Duplicate field '" + name + "'");
    }
}
