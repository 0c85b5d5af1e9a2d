package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import com.fasterxml.jackson.dataformat.cbor.CBORReadContext;
import dev.hermod.codec.ValueCoder;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * The {@link ValueCoder} of {@link JacksonCodec}: one CBOR array holding exactly one item per
 * declared type, in declared order.
 *
 * <p>Everything that depends only on the declared types (Jackson's resolved type, reader and
 * writer with their prefetched (de)serializers) is computed in the constructor; a message only
 * is read with the thread's reused parser ({@link Parsers}), or a new one if it is long, and is
 * written through the thread's reused generator ({@link Generators}).
 * Immutable and thread-safe.
 */
final class JacksonValueCoder implements ValueCoder, LeanCoder, Segmented {

    private final JsonFactory factory;
    private final ValueSlot[] slots;
    private final DecodeLimits limits;
    /** Whether a slot is a {@link ByteBuffer}. */
    private final boolean buffers;
    /** Whether the values have no declared types (a dynamic invocation's). */
    private final boolean untyped;
    /** Whether every value is a scalar or void: see {@link #decodesWithoutUserCode}. */
    private final boolean plain;
    /** The longest message decoded with the thread's reused parser: see {@link Parsers}. */
    private final int maxReusedBytes;
    /** Writes one message's values: made once, where a lambda per message captured them. */
    private final Generators.ValuesWriting arrayWriter = this::writeArray;
    /** Writes the one value of a result or exception, with no array made around it. */
    private final Generators.ValuesWriting oneWriter = this::writeOne;

    JacksonValueCoder(ObjectMapper mapper, List<Type> types, DecodeLimits limits) {
        this.factory = mapper.getFactory();
        this.limits = limits;
        this.slots = new ValueSlot[types.size()];
        boolean any = false;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = ValueSlot.of(mapper, types.get(i), i, slots.length);
            any |= slots[i].buffer;
        }
        this.buffers = any;
        this.untyped = false;
        this.plain = java.util.Arrays.stream(slots).allMatch(s -> s.isVoid || s.scalar != null);
        this.maxReusedBytes = Parsers.maxReusedBytes(factory);
    }

    private JacksonValueCoder(ObjectMapper mapper, int count, DecodeLimits limits) {
        this.factory = mapper.getFactory();
        this.limits = limits;
        this.slots = new ValueSlot[count];
        this.buffers = false;
        this.untyped = true;
        this.plain = false;
        this.maxReusedBytes = Parsers.maxReusedBytes(factory);
        for (int i = 0; i < count; i++) {
            slots[i] = ValueSlot.untyped(mapper, i, count);
        }
    }

    /**
     * A coder for values of no declared type, for dynamic invocations: values are written by
     * their runtime types and read as plain data (null, Boolean, Integer/Long/BigInteger, Double,
     * String, byte[], List, Map). No class is ever chosen by the bytes.
     */
    static JacksonValueCoder untyped(ObjectMapper mapper, int count, DecodeLimits limits) {
        return new JacksonValueCoder(mapper, count, limits);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A value of a {@code void}/{@code Void} slot is ignored and written as null; a
     * {@link ByteBuffer} as a byte string of its remaining bytes, without moving it.
     *
     * @throws IllegalArgumentException if {@code values.length} differs from the number of
     *     declared types
     */
    @Override
    public void encode(Object[] values, OutputStream out) throws IOException {
        encode(values, out, null);
    }

    @Override
    public boolean carriesBuffers() {
        return buffers;
    }

    @Override
    public void encode(Object[] values, OutputStream out, List<ByteBuffer> segments) throws IOException {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(out, "out");
        if (values.length != slots.length) {
            throw new IllegalArgumentException("expected " + describeCount() + ", got " + values.length);
        }
        Generators.write(factory, out, arrayWriter, values, segments);
    }

    @Override
    public void encodeOne(Object value, OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        if (slots.length != 1) {
            throw new IllegalStateException("a coder of " + describeCount() + " encodes no single value");
        }
        Generators.write(factory, out, oneWriter, value, null);
    }

    @Override
    public boolean decodesWithoutUserCode() {
        return plain;
    }

    @Override
    public boolean isOneString(byte[] array, int offset, int length) {
        // An array of one (0x81), then a byte string (major type 2) or text string (3) whose
        // definite length, in the header's additional information, ends the message.
        if (length < 2 || (array[offset] & 0xFF) != 0x81) {
            return false;
        }
        int head = array[offset + 1] & 0xFF;
        int major = head >>> 5;
        int info = head & 0x1F;
        if (major != 2 && major != 3) {
            return false;
        }
        int extra = info < 24 ? 0 : info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : -1;
        if (extra < 0 || 2 + extra > length) {
            return false; // an indefinite length (chunks), or a reserved value
        }
        long n = info < 24 ? info : 0;
        for (int i = 0; i < extra; i++) {
            n = n << 8 | (array[offset + 2 + i] & 0xFF);
        }
        return n >= 0 && 2 + extra + n == length;
    }

    private void writeOne(JsonGenerator generator, Object value, List<ByteBuffer> segments) throws IOException {
        generator.writeStartArray(null, 1);
        slots[0].write(generator, value, segments);
        generator.writeEndArray();
    }

    private void writeArray(JsonGenerator generator, Object array, List<ByteBuffer> segments) throws IOException {
        Object[] values = (Object[]) array;
        generator.writeStartArray(values, slots.length);
        for (int i = 0; i < slots.length; i++) {
            slots[i].write(generator, values[i], segments);
        }
        generator.writeEndArray();
    }

    @Override
    public long decodedSize(ByteBuffer in) throws DecodeLimits.Exceeded {
        int length = in.remaining();
        return limits.surelyWithin(length) ? (long) length * DecodeLimits.MAX_COST_PER_BYTE : limits.check(in);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The buffer's position is left unchanged. A heap buffer is parsed in place; any other
     * buffer through a stream over a duplicate of it. Before anything is decoded, the payload is
     * checked against the codec's {@link DecodeLimits}.
     *
     * @throws DecodeLimits.Exceeded if the payload would decode beyond the limits
     */
    @Override
    public Object[] decode(ByteBuffer in) throws IOException {
        Objects.requireNonNull(in, "in");
        if (!limits.surelyWithin(in.remaining())) {
            limits.check(in);
        }
        return decodeSized(in);
    }

    @Override
    public Object[] decodeSized(ByteBuffer in) throws IOException {
        return decode(in, null, in.remaining());
    }

    @Override
    public long decodedSize(byte[] array, int offset, int length) throws DecodeLimits.Exceeded {
        return limits.surelyWithin(length) ? (long) length * DecodeLimits.MAX_COST_PER_BYTE
                : limits.check(ByteBuffer.wrap(array, offset, length));
    }

    @Override
    public Object[] decodeSized(byte[] array, int offset, int length) throws IOException {
        return (Object[]) decode(null, array, offset, length, null, false);
    }

    @Override
    public Object decodeOne(byte[] array, int offset, int length) throws IOException {
        if (slots.length != 1) {
            throw new IllegalStateException("a coder of " + describeCount() + " decodes no single value");
        }
        if (!limits.surelyWithin(length)) {
            limits.check(ByteBuffer.wrap(array, offset, length));
        }
        return decode(null, array, offset, length, null, true);
    }

    @Override
    public Object[] decode(ByteBuffer payload, ByteBuffer segments) throws IOException {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(segments, "segments");
        if (!limits.surelyWithin(payload.remaining())) {
            limits.check(payload);
        }
        ByteBuffer cursor = segments.duplicate();
        Object[] values = decode(payload, cursor, payload.remaining());
        if (untyped && values.length == 1 && values[0] instanceof Number n && n.longValue() == cursor.remaining()) {
            // A dynamic call's result that its server declares as a buffer, and so sent as the one
            // segment: plain data, as an inline byte string would have given.
            byte[] bytes = new byte[cursor.remaining()];
            cursor.get(bytes);
            values[0] = bytes;
        }
        if (cursor.hasRemaining()) {
            throw new IOException(cursor.remaining() + " bytes of segments are named by no value of " + describeCount());
        }
        return values;
    }

    /** Decodes {@code in}; buffer values are taken from {@code segments}, which it moves, or read inline if null. */
    private Object[] decode(ByteBuffer in, ByteBuffer segments, int length) throws IOException {
        return (Object[]) (in.hasArray()
                ? decode(null, in.array(), in.arrayOffset() + in.position(), length, segments, false)
                : decode(in, null, in.position(), length, segments, false));
    }

    /**
     * Decodes the {@code length} bytes at {@code offset} of {@code buffer} or, if it is null, of
     * {@code array}: the values, or the one value if {@code one}.
     */
    private Object decode(ByteBuffer buffer, byte[] array, int offset, int length, ByteBuffer segments, boolean one)
            throws IOException {
        Parsers.Held held = length <= maxReusedBytes
                ? buffer != null ? Parsers.lend(factory, buffer, length) : Parsers.lend(factory, array, offset, length)
                : null;
        if (held == null) {
            try (JsonParser parser = buffer == null ? factory.createParser(array, offset, length)
                    : factory.createParser(new ByteBufferBackedInputStream(buffer.duplicate()))) {
                // Only this thread reads it, until it is closed below: its namespace stack needs no locks,
                // which a large message of many maps and strings would otherwise take thousands of times.
                ThreadConfinedStack.install(parser);
                return decode(new DuplicateKeys(parser), length, 0, segments, one);
            }
        }
        boolean whole = false;
        try {
            Object values = decode(held.checked(), -1, held.start(), segments, one);
            int unread = held.unread();
            if (unread > 0) {
                throw trailing(unread);
            }
            whole = true;
            return values;
        } finally {
            Parsers.giveBack(held, whole);
        }
    }

    /**
     * Reads the array of values with {@code parser}, and, if {@code length} is not negative,
     * checks that the parser has reached the end of its {@code length} bytes. The message starts
     * {@code start} bytes into what the parser has read.
     */
    private Object decode(JsonParser parser, int length, long start, ByteBuffer segments, boolean one)
            throws IOException {
        try {
            Object values = readArray(parser, segments, one);
            if (length >= 0) {
                checkEnd(parser, length);
            }
            return values;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new DecodeLimits.Exceeded(e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            // Raised by the parser between values; failures inside a value are already wrapped.
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new IOException("malformed CBOR: " + e.getOriginalMessage()
                    + (at == null || at.getByteOffset() < 0 ? "" : " (at byte " + (at.getByteOffset() - start) + ")"), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot decode " + describeCount() + ": " + e, e);
        }
    }

    /** Reads the array of values: a new {@code Object[]}, or its one value if {@code one}. */
    private Object readArray(JsonParser parser, ByteBuffer segments, boolean one) throws IOException {
        int count = slots.length;
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw new IOException("expected a CBOR array of " + describeCount() + ", got no bytes");
        }
        if (token != JsonToken.START_ARRAY) {
            throw new IOException("expected a CBOR array of " + describeCount() + ", got " + describe(token));
        }
        CBORReadContext array = (CBORReadContext) parser.getParsingContext();
        if (array.hasExpectedLength() && array.getExpectedLength() != count) {
            throw wrongCount(array.getExpectedLength());
        }
        Object[] values = one ? null : new Object[count];
        Object value = null;
        for (int i = 0; i < count; i++) {
            if (parser.nextToken() == JsonToken.END_ARRAY) {
                throw wrongCount(i);
            }
            value = slots[i].read(parser, segments);
            if (!one) {
                values[i] = value;
            }
        }
        token = parser.nextToken();
        if (token != JsonToken.END_ARRAY) {
            // An indefinite-length array with extra items: count them for the message.
            int actual = count;
            while (token != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw new IOException("truncated input: the array of " + describeCount() + " is not closed");
                }
                actual++;
                parser.skipChildren();
                token = parser.nextToken();
            }
            throw wrongCount(actual);
        }
        return one ? value : values;
    }

    /** After the array: the parser must have reached the end of the message's {@code length} bytes. */
    private void checkEnd(JsonParser parser, int length) throws IOException {
        long consumed = parser.currentLocation().getByteOffset();
        if (consumed >= 0 && consumed < length) {
            throw trailing(length - consumed);
        }
        if (parser.nextToken() != null) {
            throw new IOException("unexpected data after the array of " + describeCount());
        }
    }

    private IOException trailing(long bytes) {
        return new IOException(bytes + " unexpected trailing bytes after the array of " + describeCount());
    }

    private IOException wrongCount(int actual) {
        return new IOException("expected " + describeCount() + ", got " + actual);
    }

    private String describeCount() {
        return slots.length == 1 ? "1 value" : slots.length + " values";
    }

    static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "a map";
            case VALUE_STRING -> "a text string";
            case VALUE_EMBEDDED_OBJECT -> "a byte string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.toString();
        };
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("JacksonValueCoder[");
        for (int i = 0; i < slots.length; i++) {
            s.append(i == 0 ? "" : ", ").append(slots[i].typeName);
        }
        return s.append(']').toString();
    }

    /** The fast path of value {@code index}, or null if it goes through Jackson's databind; for tests. */
    Scalar scalar(int index) {
        return slots[index].scalar();
    }
}
