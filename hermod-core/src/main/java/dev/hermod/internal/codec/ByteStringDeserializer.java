package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Reads {@code byte[]} from a CBOR byte string only.
 *
 * <p>Jackson's own deserializer also accepts base64 text and arrays of numbers, and copies a
 * byte string longer than 250,000 bytes twice. This one streams the byte string out of the
 * parser: when the parser reads a heap buffer in place, the whole value arrives in one write and
 * is copied exactly once, and a length header larger than the input never makes it allocate
 * more than the bytes actually present.
 */
final class ByteStringDeserializer extends StdDeserializer<byte[]> {

    private static final long serialVersionUID = 1L;

    ByteStringDeserializer() {
        super(byte[].class);
    }

    @Override
    public byte[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_EMBEDDED_OBJECT) {
            return (byte[]) ctxt.handleUnexpectedToken(byte[].class, p);
        }
        return read(p);
    }

    /** Reads the byte string at the parser's current token ({@code VALUE_EMBEDDED_OBJECT}). */
    static byte[] read(JsonParser p) throws IOException {
        Collector out = new Collector();
        p.readBinaryValue(out);
        return out.toByteArray();
    }

    /** Collects written bytes; a single write is kept as the one copy of the value. */
    private static final class Collector extends OutputStream {

        private static final byte[] EMPTY = new byte[0];

        private byte[] bytes = EMPTY;
        private int size;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (size == 0) {
                bytes = Arrays.copyOfRange(b, off, off + len);
                size = len;
                return;
            }
            if (bytes.length - size < len) {
                int capacity = Math.max(size + len, (int) Math.min(Integer.MAX_VALUE - 8, 2L * bytes.length));
                bytes = Arrays.copyOf(bytes, capacity);
            }
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        byte[] toByteArray() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
