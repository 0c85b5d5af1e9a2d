package dev.hermod;

/** The servant of {@link Blobs}: sizes, made arrays, and a value after a sleep. Thread-safe. */
public final class BlobsImpl implements Blobs {
    @Override
    public int size(byte[] data) {
        return data.length;
    }

    @Override
    public byte[] make(int size) {
        return new byte[size];
    }

    @Override
    public int slow(int value, long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return value;
    }
}
