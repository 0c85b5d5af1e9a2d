package dev.hermod.internal.codec;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The default coder's paths that make fewer objects per message than the SPI's signatures would:
 * a message decoded straight from a range of a byte array, as frames on the heap hold it, with no
 * {@link java.nio.ByteBuffer} made around it; and a result or exception, one value, encoded and
 * decoded without an array of one value around it. Each is on the path of every call.
 */
public interface LeanCoder extends DecodeLimits.Sized {
    /** As {@link #decodedSize(java.nio.ByteBuffer)}, for {@code length} bytes of {@code array} from {@code offset}. */
    long decodedSize(byte[] array, int offset, int length) throws DecodeLimits.Exceeded;

    /** As {@link #decodeSized(java.nio.ByteBuffer)}, for {@code length} bytes of {@code array} from {@code offset}. */
    Object[] decodeSized(byte[] array, int offset, int length) throws IOException;

    /**
     * Decodes the one value of a coder that declares one (a result's or an exception's), as
     * {@link dev.hermod.codec.ValueCoder#decode} of the range would, limits checked first.
     *
     * @throws IllegalStateException if the coder declares other than one value
     */
    Object decodeOne(byte[] array, int offset, int length) throws IOException;

    /**
     * Encodes the one value of a coder that declares one, as
     * {@link dev.hermod.codec.ValueCoder#encode} of an array holding it would.
     *
     * @throws IllegalStateException if the coder declares other than one value
     */
    void encodeOne(Object value, OutputStream out) throws IOException;

    /**
     * Whether decoding runs no code of the application's: every value is a scalar read by
     * Jackson's standard deserializers ({@code byte[]}, {@code String}, numbers, booleans) or void,
     * so that it may be decoded on an I/O thread, where no user code runs.
     */
    boolean decodesWithoutUserCode();

    /**
     * Whether the {@code length} bytes of {@code array} from {@code offset} are a message of one
     * value that is a byte or text string of definite length, as a {@code byte[]} is written:
     * decoding it costs about a copy of its bytes, with no structure to walk, however long it is.
     * Looks at the first few bytes only.
     */
    boolean isOneString(byte[] array, int offset, int length);
}
