package dev.hermod.jmh;

import dev.hermod.Remote;

/** The contract of hermod-bench's latency and throughput scenarios, with the same signature. */
@Remote
public interface Echo {
    /** Returns {@code data} unchanged. */
    byte[] echo(byte[] data);
}
