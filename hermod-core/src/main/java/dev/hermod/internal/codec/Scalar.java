package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.ser.std.BooleanSerializer;
import com.fasterxml.jackson.databind.ser.std.ByteArraySerializer;
import com.fasterxml.jackson.databind.ser.std.NumberSerializers;
import com.fasterxml.jackson.databind.ser.std.StringSerializer;
import java.io.IOException;

/**
 * The values most calls carry ({@code byte[]}, {@code String}, {@code int}, {@code long},
 * {@code boolean}, {@code double} and their boxes), written and read through the parser and
 * generator directly instead of through an {@code ObjectWriter}/{@code ObjectReader}, each of
 * which creates a serialization or deserialization context per value. Hermod's own benchmark
 * measured those contexts at about a tenth of the bytes a small call allocates.
 *
 * <p>The bytes are the same: each writes what Jackson's standard serializer for the type writes,
 * by the same generator method. Reading takes only the token the standard deserializer would read
 * the same way (a byte string for {@code byte[]}, a text string for {@code String}, an integer
 * that fits for {@code int} and {@code long}, a float for {@code double}, {@code true} or
 * {@code false}); anything else ({@link #UNSUITED}) goes to the {@code ObjectReader}, which
 * decodes it or rejects it with its usual message. A type only gets a fast path when the mapper
 * has Jackson's standard serializer and deserializer for it (or Hermod's
 * {@link ByteStringDeserializer}), so a module that changes them is honoured.
 *
 * <p>Stateless and thread-safe.
 */
enum Scalar {
    BYTES {
        @Override
        void write(JsonGenerator g, Object value) throws IOException {
            byte[] bytes = (byte[]) value;
            g.writeBinary(bytes, 0, bytes.length);
        }

        @Override
        Object read(JsonParser p) throws IOException {
            return p.currentToken() == JsonToken.VALUE_EMBEDDED_OBJECT ? ByteStringDeserializer.read(p) : UNSUITED;
        }
    },
    STRING {
        @Override
        void write(JsonGenerator g, Object value) throws IOException {
            g.writeString((String) value);
        }

        @Override
        Object read(JsonParser p) throws IOException {
            return p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : UNSUITED;
        }
    },
    INT {
        @Override
        void write(JsonGenerator g, Object value) throws IOException {
            g.writeNumber((Integer) value);
        }

        @Override
        Object read(JsonParser p) throws IOException {
            return isNumber(p, JsonToken.VALUE_NUMBER_INT, JsonParser.NumberType.INT, JsonParser.NumberType.INT)
                    ? (Object) p.getIntValue() : UNSUITED;
        }
    },
    LONG {
        @Override
        void write(JsonGenerator g, Object value) throws IOException {
            g.writeNumber((Long) value);
        }

        @Override
        Object read(JsonParser p) throws IOException {
            return isNumber(p, JsonToken.VALUE_NUMBER_INT, JsonParser.NumberType.INT, JsonParser.NumberType.LONG)
                    ? (Object) p.getLongValue() : UNSUITED;
        }
    },
    BOOLEAN {
        @Override
        void write(JsonGenerator g, Object value) throws IOException {
            g.writeBoolean((Boolean) value);
        }

        @Override
        Object read(JsonParser p) {
            JsonToken token = p.currentToken();
            return token == JsonToken.VALUE_TRUE ? Boolean.TRUE : token == JsonToken.VALUE_FALSE ? Boolean.FALSE : UNSUITED;
        }
    },
    DOUBLE {
        @Override
        void write(JsonGenerator g, Object value) throws IOException {
            g.writeNumber((Double) value);
        }

        @Override
        Object read(JsonParser p) throws IOException {
            return isNumber(p, JsonToken.VALUE_NUMBER_FLOAT, JsonParser.NumberType.DOUBLE, JsonParser.NumberType.FLOAT)
                    ? (Object) p.getDoubleValue() : UNSUITED;
        }
    };

    /** What {@link #read} returns when the token is one it leaves to the {@code ObjectReader}. */
    static final Object UNSUITED = new Object();

    /** Whether the parser is at a number of token {@code token} whose type is {@code a} or {@code b}. */
    private static boolean isNumber(JsonParser p, JsonToken token, JsonParser.NumberType a, JsonParser.NumberType b)
            throws IOException {
        if (p.currentToken() != token) {
            return false;
        }
        JsonParser.NumberType type = p.getNumberType();
        return type == a || type == b;
    }

    /** Writes a non-null value of the type. */
    abstract void write(JsonGenerator g, Object value) throws IOException;

    /** Reads the value at the parser's current token, or returns {@link #UNSUITED}. */
    abstract Object read(JsonParser p) throws IOException;

    /**
     * The fast path for values of {@code type}, or null when it has none: not one of these types,
     * or the mapper (de)serializes it with something other than Jackson's standard classes.
     */
    static Scalar of(ObjectMapper mapper, JavaType type) {
        Class<?> raw = type.getRawClass();
        Scalar scalar;
        Class<?> serializer;
        Class<?> deserializer;
        if (raw == byte[].class) {
            scalar = BYTES;
            serializer = ByteArraySerializer.class;
            deserializer = ByteStringDeserializer.class;
        } else if (raw == String.class) {
            scalar = STRING;
            serializer = StringSerializer.class;
            deserializer = StringDeserializer.class;
        } else if (raw == int.class || raw == Integer.class) {
            scalar = INT;
            serializer = NumberSerializers.IntegerSerializer.class;
            deserializer = NumberDeserializers.IntegerDeserializer.class;
        } else if (raw == long.class || raw == Long.class) {
            scalar = LONG;
            serializer = NumberSerializers.LongSerializer.class;
            deserializer = NumberDeserializers.LongDeserializer.class;
        } else if (raw == boolean.class || raw == Boolean.class) {
            scalar = BOOLEAN;
            serializer = BooleanSerializer.class;
            deserializer = NumberDeserializers.BooleanDeserializer.class;
        } else if (raw == double.class || raw == Double.class) {
            scalar = DOUBLE;
            serializer = NumberSerializers.DoubleSerializer.class;
            deserializer = NumberDeserializers.DoubleDeserializer.class;
        } else {
            return null;
        }
        try {
            JsonSerializer<Object> ser = mapper.getSerializerProviderInstance().findTypedValueSerializer(type, true, null);
            DeserializationContext context = ((DefaultDeserializationContext) mapper.getDeserializationContext())
                    .createInstance(mapper.getDeserializationConfig(), null, null);
            JsonDeserializer<Object> deser = context.findRootValueDeserializer(type);
            return ser.getClass() == serializer && deser.getClass() == deserializer ? scalar : null;
        } catch (IOException | RuntimeException e) {
            return null; // the ObjectReader and ObjectWriter will report it
        }
    }
}
