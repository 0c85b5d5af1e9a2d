package dev.hermod.internal.reference;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The objects one client or server has exported and the references it holds, over all its
 * connections, so that leaks can be seen. Thread-safe.
 */
public final class ReferenceCounts {
    final AtomicInteger exported = new AtomicInteger();
    final AtomicInteger imported = new AtomicInteger();

    /** Objects exported and still served. */
    public int exported() {
        return exported.get();
    }

    /** References to the peers' objects held and not released. */
    public int imported() {
        return imported.get();
    }
}
