package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.hermod.internal.transport.VirtualThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One CBOR parser per platform thread, reused for every small message the thread decodes,
 * instead of a new parser per message: the reading side of {@link Generators}. A parser with its
 * I/O context, read contexts, symbol table, text buffer and duplicate detector was about a third
 * of the bytes a small call allocated on each side (hermod-bench's {@code throughput} scenario,
 * async-profiler allocation samples).
 *
 * <p>A CBOR parser reads any number of root-level values one after another from its stream.
 * This one reads from a {@link Feed} that hands it one message's bytes: once a message's array
 * is read, the parser has asked for no byte beyond it, and the next message's bytes follow. What
 * it has not read of a message ({@link Held#unread}) is the message's trailing bytes. A parser
 * whose message failed, or had bytes left, is closed and dropped: it may sit in the middle of a
 * value, or have reached the end of its stream.
 *
 * <p>Jackson counts tokens against {@link StreamReadConstraints#getMaxTokenCount()} over a
 * parser's whole life, so the reused parser comes from a copy of the codec's factory without that
 * limit, and takes only messages too short to reach it: a data item is at least one byte, and
 * makes at most two tokens. Longer messages, messages on virtual threads, and a message decoded
 * while the thread's parser is busy (a deserializer that decodes another message) get a fresh
 * parser, as every message did before.
 *
 * <p>Each thread's state is its own; the cache of factories is synchronized. The thread's parser
 * is weakly held, as {@link Generators} says why.
 */
final class Parsers {
    /** The most bytes a reused parser takes in one message: one read of its input buffer. */
    static final int MAX_REUSED_BYTES = 4000;

    private static final ThreadLocal<WeakReference<Held>> HELD = new ThreadLocal<>();
    /** The codec's factory to the copy whose parsers are reused. */
    private static final Map<JsonFactory, JsonFactory> REUSING = new WeakHashMap<>();
    private static final OutputStream DISCARD = OutputStream.nullOutputStream();

    private Parsers() {}

    /**
     * The most bytes of a message that a reused parser of {@code factory} takes: none if the
     * factory is not CBOR's.
     */
    static int maxReusedBytes(JsonFactory factory) {
        if (!(factory instanceof CBORFactory)) {
            return -1;
        }
        StreamReadConstraints constraints = factory.streamReadConstraints();
        if (!constraints.hasMaxTokenCount()) {
            return MAX_REUSED_BYTES;
        }
        return (int) Math.min(MAX_REUSED_BYTES, (constraints.getMaxTokenCount() - 2) / 2);
    }

    /**
     * This thread's parser of {@code factory}, positioned before the message of {@code length}
     * bytes at {@code in}'s position; null if the thread has none to lend (a virtual thread, or
     * its parser is busy). The caller gives it back with {@link #giveBack}.
     */
    static Held lend(JsonFactory factory, ByteBuffer in, int length) throws IOException {
        return in.hasArray() ? lend(factory, null, in.array(), in.arrayOffset() + in.position(), length)
                : lend(factory, in, null, in.position(), length);
    }

    /**
     * As {@link #lend(JsonFactory, ByteBuffer, int)}, for {@code length} bytes of {@code array} from
     * {@code offset}.
     */
    static Held lend(JsonFactory factory, byte[] array, int offset, int length) throws IOException {
        return lend(factory, null, array, offset, length);
    }

    /** Lends the parser for the bytes of {@code buffer} or, if it is null, of {@code array}. */
    private static Held lend(JsonFactory factory, ByteBuffer buffer, byte[] array, int offset, int length)
            throws IOException {
        if (VirtualThreads.current()) {
            return null;
        }
        WeakReference<Held> ref = HELD.get();
        Held held = ref == null ? null : ref.get();
        if (held != null && held.busy) {
            return null;
        }
        if (held == null || held.factory != factory) {
            if (held != null) {
                held.parser.close(); // another codec's: its buffers go back to the pool
            }
            held = new Held(factory, reusing(factory), buffer, array, offset, length);
            HELD.set(new WeakReference<>(held));
        } else {
            held.feed.set(buffer, array, offset, length);
        }
        held.busy = true;
        held.length = length;
        return held;
    }

    /**
     * Takes back a parser {@link #lend} lent. {@code reusable}: its message was read whole and
     * nothing was left of it; otherwise the parser is closed and dropped.
     */
    static void giveBack(Held held, boolean reusable) throws IOException {
        held.feed.clear(); // holds no message's memory between messages
        held.busy = false;
        held.start += held.length;
        if (!reusable) {
            HELD.remove(); // only this thread lends its parser, so the one held is this one
            held.parser.close();
        }
    }

    private static JsonFactory reusing(JsonFactory factory) {
        synchronized (REUSING) {
            return REUSING.computeIfAbsent(factory, f -> ((CBORFactory) f).rebuild()
                    .streamReadConstraints(f.streamReadConstraints().rebuild()
                            .maxTokenCount(StreamReadConstraints.DEFAULT_MAX_TOKEN_COUNT).build())
                    .build());
        }
    }

    /** A thread's parser for one factory, and the stream it reads messages from. */
    static final class Held {
        final JsonFactory factory;
        final Feed feed = new Feed();
        final JsonParser parser;
        /** The parser as the codec reads it: refusing repeated keys ({@link DuplicateKeys}). */
        private final DuplicateKeys checked;
        boolean busy;
        /** How many bytes the parser had read before the current message: the messages it read whole. */
        private long start;
        private int length;

        /** Made with its first message in the feed: Jackson reads a first byte as it makes the parser. */
        private Held(JsonFactory factory, JsonFactory reusing, ByteBuffer buffer, byte[] array, int offset, int length)
                throws IOException {
            this.factory = factory;
            feed.set(buffer, array, offset, length);
            this.parser = reusing.createParser(feed);
            ThreadConfinedStack.install(parser); // this thread's alone: its namespace stack needs no locks
            this.checked = new DuplicateKeys(parser);
        }

        /** The parser to read the current message with: it refuses repeated keys. */
        JsonParser checked() {
            return checked.over(parser);
        }

        /** Where the current message starts among the bytes the parser has read. */
        long start() {
            return start;
        }

        /** The bytes of the current message the parser has not read. */
        int unread() throws IOException {
            return feed.remaining() + parser.releaseBuffered(DISCARD);
        }
    }

    /** Hands the parser the bytes of one message, and then the end of input. */
    private static final class Feed extends InputStream {
        /** The message's buffer, or null when it is {@link #array}; positions index the one set. */
        private ByteBuffer source;
        private byte[] array;
        private int position;
        private int end;

        void set(ByteBuffer buffer, byte[] array, int offset, int length) {
            this.source = buffer;
            this.array = array;
            position = offset;
            end = offset + length;
        }

        void clear() {
            source = null;
            array = null;
            position = 0;
            end = 0;
        }

        int remaining() {
            return end - position;
        }

        @Override
        public int read() {
            if (position >= end) {
                return -1;
            }
            return (array != null ? array[position++] : source.get(position++)) & 0xFF;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            int n = Math.min(length, end - position);
            if (n <= 0) {
                return -1;
            }
            if (array != null) {
                System.arraycopy(array, position, into, offset, n);
            } else {
                source.get(position, into, offset, n);
            }
            position += n;
            return n;
        }

        @Override
        public int available() {
            return remaining();
        }
    }
}
