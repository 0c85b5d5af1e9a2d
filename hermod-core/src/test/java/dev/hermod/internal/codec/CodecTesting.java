package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.hermod.codec.ValueCoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;

/** Helpers shared by the codec tests. */
final class CodecTesting {

    /** A plain CBOR mapper, to write hand-made payloads and read encodings back as trees. */
    static final CBORMapper RAW = new CBORMapper();

    private CodecTesting() {
    }

    /** Captures a generic type: {@code new TypeRef<List<String>>() {}.type()}. */
    abstract static class TypeRef<T> {
        Type type() {
            return ((ParameterizedType) getClass().getGenericSuperclass()).getActualTypeArguments()[0];
        }
    }

    static ValueCoder coder(Type... types) {
        return JacksonCodec.cbor().coder(List.of(types));
    }

    static byte[] encode(ValueCoder coder, Object... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            coder.encode(values, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Object[] decode(ValueCoder coder, byte[] bytes) throws IOException {
        return coder.decode(ByteBuffer.wrap(bytes));
    }

    /** Encodes the values as declared, then decodes them from a heap buffer. */
    static Object[] roundTrip(ValueCoder coder, Object... values) throws IOException {
        return decode(coder, encode(coder, values));
    }

    /** Writes any value with a plain CBOR mapper. */
    static byte[] cbor(Object value) {
        try {
            return RAW.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
