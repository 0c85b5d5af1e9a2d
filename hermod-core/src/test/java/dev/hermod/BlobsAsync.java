package dev.hermod;

import dev.hermod.tools.CompanionOf;

/** The asynchronous companion of {@link Blobs}, as the processor would generate it. */
@CompanionOf(Blobs.class)
public interface BlobsAsync {
    AsyncResult.Throwing<Integer, RuntimeException> size(byte[] data);

    AsyncResult.Throwing<byte[], RuntimeException> make(int size);

    AsyncResult.Throwing<Integer, RuntimeException> slow(int value, long millis);
}
