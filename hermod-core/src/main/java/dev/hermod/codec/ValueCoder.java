package dev.hermod.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Encodes and decodes a fixed sequence of values whose types were given to
 * {@link Codec#coder(java.util.List)}.
 *
 * <p>Instances are created once per operation and shared by all calls: they must be
 * thread-safe and should keep whatever they can precompute.
 *
 * @since 0.1
 */
public interface ValueCoder {

    /**
     * Writes the values, one per declared type and in the same order, to {@code out}.
     *
     * @param values the values; {@code values.length} equals the number of declared types;
     *     elements may be null where the declared type allows it
     * @param out the destination; not closed by this method
     * @throws IOException if a value cannot be encoded or {@code out} fails
     */
    void encode(Object[] values, OutputStream out) throws IOException;

    /**
     * Reads exactly as many values as there are declared types from {@code in}, each decoded as
     * its declared type. The buffer's remaining bytes must hold the encoding and nothing more.
     *
     * <p>The buffer is only valid during this call: implementations must copy what they keep
     * (for example into a {@code byte[]} value) and must not retain the buffer.
     *
     * @param in the encoded values, from its position to its limit
     * @return the decoded values, a new array of the declared length
     * @throws IOException if the bytes are malformed, do not match the declared types, or hold
     *     more or fewer values than declared
     */
    Object[] decode(ByteBuffer in) throws IOException;
}
