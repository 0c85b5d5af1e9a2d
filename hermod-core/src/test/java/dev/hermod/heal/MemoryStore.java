package dev.hermod.heal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link Store} in memory that counts the calls it runs. */
class MemoryStore implements Store {
    final Map<String, String> values = new ConcurrentHashMap<>();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger appends = new AtomicInteger();

    @Override
    public String read(String key) {
        reads.incrementAndGet();
        return values.get(key);
    }

    @Override
    public String append(String key, String suffix) {
        appends.incrementAndGet();
        return values.merge(key, suffix, String::concat);
    }
}
