package dev.hermod;

/** Byte arrays in and out, of any size, for {@link FrameLimitTest}. */
@Remote
public interface Blobs {
    /** Returns the length of {@code data}: a large request, a small reply. */
    int size(byte[] data);

    /** Returns {@code size} bytes: a small request, a large reply. */
    byte[] make(int size);

    /** Returns {@code value} after {@code millis}: a call outstanding while others fail. */
    int slow(int value, long millis);
}
