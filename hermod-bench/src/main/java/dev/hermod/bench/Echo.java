package dev.hermod.bench;

import dev.hermod.Remote;

/**
 * The contract of the latency and throughput benchmarks. The annotation processor generates
 * {@code EchoAsync}, whose {@code echo} returns an {@code AsyncResult<byte[]>}.
 */
@Remote
public interface Echo {
    /** Returns {@code data} unchanged. */
    byte[] echo(byte[] data);
}
