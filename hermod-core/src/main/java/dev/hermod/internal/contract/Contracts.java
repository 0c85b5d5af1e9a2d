package dev.hermod.internal.contract;

import dev.hermod.codec.Codec;

/**
 * The contracts one client or server has read, each read once with that side's codec.
 * Thread-safe.
 *
 * <p>The cache is a {@link ClassValue}: each contract is kept with its interface's own
 * {@code Class} object, not in a map of Hermod's. A client or server that outlives an
 * application (a redeploy in a container) therefore does not keep that application's class loader
 * alive: when nothing else references the loader, the contract goes with it.
 */
public final class Contracts {
    private final Codec codec;
    private final ClassValue<Contract> cache = new ClassValue<>() {
        @Override
        protected Contract computeValue(Class<?> type) {
            // Validation may throw: ClassValue then caches nothing and the next get tries again.
            return Contract.of(type, codec);
        }
    };

    public Contracts(Codec codec) {
        this.codec = codec;
    }

    /**
     * Returns the contract for {@code type}, reading and validating it on first use.
     *
     * @throws IllegalArgumentException if it is not a valid contract
     */
    public Contract get(Class<?> type) {
        return cache.get(type);
    }

    /** The codec contracts are read with. */
    public Codec codec() {
        return codec;
    }
}
