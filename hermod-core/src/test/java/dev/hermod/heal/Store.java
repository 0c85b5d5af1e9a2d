package dev.hermod.heal;

import dev.hermod.Idempotent;
import dev.hermod.Remote;

/** A contract with an idempotent read and a write that is not, for the healing tests. */
@Remote
public interface Store {
    /** Reads a value; safe to run twice. */
    @Idempotent
    String read(String key);

    /** Appends to a value; running it twice appends twice. */
    String append(String key, String suffix);
}
