package dev.hermod.internal.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a coder can do besides {@link dev.hermod.codec.ValueCoder}: carry its
 * {@link ByteBuffer} values as raw segments after the payload (PROTOCOL.md section 30) instead of
 * inside it, so that their bytes are neither copied into the payload when sent nor out of the
 * frame when received. Implementations are thread-safe.
 */
public interface Segmented {

    /** Whether any declared type is {@link ByteBuffer}: only then are segments worth a frame's flag. */
    boolean carriesBuffers();

    /**
     * Encodes {@code values} as {@link dev.hermod.codec.ValueCoder#encode} does, except that each
     * non-null {@link ByteBuffer} value is written as the length of its remaining bytes, and a
     * duplicate of it is added to {@code segments}, in order. No buffer is moved or copied.
     */
    void encode(Object[] values, OutputStream out, List<ByteBuffer> segments) throws IOException;

    /**
     * Decodes {@code payload} as {@link dev.hermod.codec.ValueCoder#decode} does, except that a
     * {@link ByteBuffer} value is a length, and the value is a read-only view of the next that many
     * bytes of {@code segments}: valid only as long as the memory under {@code segments} is.
     *
     * @throws IOException as {@code decode} does, and if the lengths do not add up to exactly the
     *     bytes of {@code segments}
     */
    Object[] decode(ByteBuffer payload, ByteBuffer segments) throws IOException;
}
