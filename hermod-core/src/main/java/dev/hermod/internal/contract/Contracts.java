package dev.hermod.internal.contract;

import dev.hermod.codec.Codec;
import java.util.concurrent.ConcurrentHashMap;

/** The contracts one client or server has read, each read once with that side's codec. Thread-safe. */
public final class Contracts {
    private final Codec codec;
    private final ConcurrentHashMap<Class<?>, Contract> cache = new ConcurrentHashMap<>();

    public Contracts(Codec codec) {
        this.codec = codec;
    }

    /**
     * Returns the contract for {@code type}, reading and validating it on first use.
     *
     * @throws IllegalArgumentException if it is not a valid contract
     */
    public Contract get(Class<?> type) {
        Contract c = cache.get(type);
        if (c == null) {
            c = Contract.of(type, codec); // outside computeIfAbsent: validation may be slow and may throw
            Contract raced = cache.putIfAbsent(type, c);
            if (raced != null) {
                c = raced;
            }
        }
        return c;
    }

    /** The codec contracts are read with. */
    public Codec codec() {
        return codec;
    }
}
