package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * One declared type of a {@link JacksonValueCoder}, with its precomputed reader and writer and,
 * for the common scalars, its {@link Scalar} fast path. Immutable and thread-safe.
 */
final class ValueSlot {

    final String typeName;
    private final int index;
    private final String label;
    final boolean isVoid;
    private final boolean primitive;
    /** A {@link ByteBuffer}: a byte string, or a segment's length (PROTOCOL.md section 30). */
    final boolean buffer;
    private final Class<?> valueClass;
    private final ObjectWriter writer;
    private final ObjectReader reader;
    /** The direct way for common scalar types, or null: {@link Scalar}. */
    final Scalar scalar;

    private ValueSlot(String typeName, int index, String label, boolean isVoid, boolean primitive,
            Class<?> valueClass, ObjectWriter writer, ObjectReader reader, Scalar scalar) {
        this.buffer = valueClass == ByteBuffer.class;
        this.typeName = typeName;
        this.index = index;
        this.label = label;
        this.isVoid = isVoid;
        this.primitive = primitive;
        this.valueClass = valueClass;
        this.writer = writer;
        this.reader = reader;
        this.scalar = scalar;
    }

    static ValueSlot untyped(ObjectMapper mapper, int index, int count) {
        return new ValueSlot("any", index, "value " + (index + 1) + " of " + count + " (untyped)", false, false,
                Object.class, mapper.writerFor(Object.class), mapper.readerFor(Object.class), null);
    }

    static ValueSlot of(ObjectMapper mapper, Type declared, int index, int count) {
        Objects.requireNonNull(declared, "types contains null");
        String typeName = declared.getTypeName();
        String label = "value " + (index + 1) + " of " + count + " (" + typeName + ")";
        if (declared == void.class || declared == Void.class) {
            return new ValueSlot(typeName, index, label, true, false, Void.class, null, null, null);
        }
        if (declared == ByteBuffer.class) { // abstract, so Jackson would refuse it: carried here
            return new ValueSlot(typeName, index, label, false, false, ByteBuffer.class, null, null, null);
        }
        JavaType type = TypeChecker.check(mapper, declared);
        Class<?> raw = type.getRawClass();
        return new ValueSlot(typeName, index, label, false, raw.isPrimitive(), box(raw),
                mapper.writerFor(type), mapper.readerFor(type), Scalar.of(mapper, type));
    }

    void write(JsonGenerator generator, Object value, List<ByteBuffer> segments) throws IOException {
        if (isVoid) {
            generator.writeNull();
            return;
        }
        if (value == null) {
            if (primitive) {
                throw new IOException("cannot encode " + label + ": null for a primitive type");
            }
            generator.writeNull();
            return;
        }
        if (!valueClass.isInstance(value)) {
            throw new IOException("cannot encode " + label + ": got a " + value.getClass().getName());
        }
        try {
            if (buffer) {
                writeBuffer(generator, (ByteBuffer) value, segments);
                return;
            }
            if (scalar != null) {
                scalar.write(generator, value);
                return;
            }
            writer.writeValue(generator, value);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot encode " + label + ": " + e.getMessage(), e);
        }
    }

    /** A buffer's remaining bytes, inline, or as the length of the segment they become. */
    private static void writeBuffer(JsonGenerator generator, ByteBuffer value, List<ByteBuffer> segments)
            throws IOException {
        if (segments != null) {
            generator.writeNumber(value.remaining());
            segments.add(value.duplicate());
        } else if (value.hasArray()) {
            generator.writeBinary(value.array(), value.arrayOffset() + value.position(), value.remaining());
        } else {
            generator.writeBinary(new ByteBufferBackedInputStream(value.duplicate()), value.remaining());
        }
    }

    /**
     * A buffer: a read-only view of the next segment, or a read-only buffer over a copy of an
     * inline byte string.
     */
    private Object readBuffer(JsonParser parser, JsonToken token, ByteBuffer segments) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (segments == null) {
            if (token != JsonToken.VALUE_EMBEDDED_OBJECT) {
                throw new ValueDecodingException(index, label, "expected a byte string, got "
                        + JacksonValueCoder.describe(token), null);
            }
            return ByteBuffer.wrap(ByteStringDeserializer.read(parser)).asReadOnlyBuffer();
        }
        if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new ValueDecodingException(index, label, "expected the length of a segment, got "
                    + JacksonValueCoder.describe(token), null);
        }
        long length = parser.getLongValue();
        if (length < 0 || length > segments.remaining()) {
            throw new ValueDecodingException(index, label, "a segment of " + length + " bytes, where "
                    + segments.remaining() + " bytes of segments are left", null);
        }
        int n = (int) length;
        ByteBuffer view = segments.slice().limit(n).slice().asReadOnlyBuffer();
        segments.position(segments.position() + n);
        return view;
    }

    /** Reads the value whose first token is the parser's current token. */
    Object read(JsonParser parser, ByteBuffer segments) throws IOException {
        JsonToken token = parser.currentToken();
        if (buffer) {
            return readBuffer(parser, token, segments);
        }
        if (isVoid || (primitive && token == JsonToken.VALUE_NULL)) {
            if (token != JsonToken.VALUE_NULL) {
                throw new ValueDecodingException(index, label, "expected null, got "
                        + JacksonValueCoder.describe(token), null);
            }
            if (primitive) {
                throw new ValueDecodingException(index, label,
                        "expected " + DecodingFailures.expected(valueClass) + ", got null", null);
            }
            return null;
        }
        try {
            if (scalar != null) {
                Object value = scalar.read(parser);
                if (value != Scalar.UNSUITED) {
                    return value;
                }
            }
            return reader.readValue(parser);
        } catch (IOException | RuntimeException e) {
            throw new ValueDecodingException(index, label, DecodingFailures.reason(e, parser), e);
        }
    }

    /** The fast path this slot takes, or null; for tests. */
    Scalar scalar() {
        return scalar;
    }

    private static Class<?> box(Class<?> raw) {
        if (!raw.isPrimitive()) {
            return raw;
        }
        if (raw == int.class) {
            return Integer.class;
        } else if (raw == long.class) {
            return Long.class;
        } else if (raw == boolean.class) {
            return Boolean.class;
        } else if (raw == double.class) {
            return Double.class;
        } else if (raw == float.class) {
            return Float.class;
        } else if (raw == short.class) {
            return Short.class;
        } else if (raw == byte.class) {
            return Byte.class;
        } else {
            return Character.class;
        }
    }
}
