package dev.hermod.abuse;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Watches the memory of the JVM it runs in, for the abuse suite's processes: the heap in use,
 * the heap in use right after each collection, and direct memory, each with its peak since the
 * last {@link #reset()}.
 *
 * <p>The heap after a collection is what survived it: its peak says how much a process really
 * held, which the raw heap peak, mostly garbage waiting to be collected, does not. After a young
 * collection the figure also counts the garbage the old generation holds until its next marking:
 * large arrays whose holders were promoted while they waited (a 16 MiB request queued behind slow
 * calls) stay there after their call ends. So a young collection's figure is only an upper
 * bound: when it passes {@link #CONFIRM_ABOVE}, the probe runs a full collection to learn what is
 * live, and counts that. The upper bounds' peak is reported beside it.
 */
final class MemoryProbe {
    private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private static final BufferPoolMXBean DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
            .stream().filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();

    private volatile long heapPeak;
    private volatile long liveHeap;
    private volatile long liveHeapPeak;
    private volatile long directPeak;
    private volatile long youngPeak;
    private volatile boolean confirm;
    private volatile int confirmations;

    /** A young collection's figure above this is checked by a full collection. */
    static final long CONFIRM_ABOVE = 64L << 20;
    /** The least time between two full collections the probe runs. */
    private static final long CONFIRM_INTERVAL_NANOS = 200_000_000L;

    /** Starts listening to collections and sampling every few milliseconds, on a daemon thread. */
    static MemoryProbe start() {
        MemoryProbe probe = new MemoryProbe();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
                if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    probe.collected(GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()));
                }
            }, null, null);
        }
        Thread sampler = new Thread(probe::sample, "memory-probe");
        sampler.setDaemon(true);
        sampler.start();
        return probe;
    }

    private void collected(GarbageCollectionNotificationInfo info) {
        long after = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (HEAP_POOLS.contains(e.getKey())) {
                after += e.getValue().getUsed();
            }
        }
        boolean full = info.getGcAction().equals("end of major GC");
        if (!full) {
            youngPeak = Math.max(youngPeak, after);
            if (after > Math.max(CONFIRM_ABOVE, liveHeapPeak)) {
                confirm = true;
                return;
            }
        }
        liveHeap = after;
        if (after > liveHeapPeak) {
            liveHeapPeak = after;
        }
    }

    private void sample() {
        long lastConfirmed = System.nanoTime() - CONFIRM_INTERVAL_NANOS;
        while (true) {
            heapPeak = Math.max(heapPeak, heapUsed());
            directPeak = Math.max(directPeak, directUsed());
            if (confirm && System.nanoTime() - lastConfirmed >= CONFIRM_INTERVAL_NANOS) {
                confirm = false;
                confirmations++;
                System.gc();
                lastConfirmed = System.nanoTime();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Runs full collections, so that the heap in use is the live heap. */
    void gc() {
        System.gc();
        System.gc();
    }

    /** Starts new peaks from the values now. */
    void reset() {
        heapPeak = heapUsed();
        liveHeapPeak = liveHeap;
        youngPeak = liveHeap;
        confirmations = 0;
        directPeak = directUsed();
    }

    /** The figures as {@code name=value} pairs separated by spaces. */
    String figures() {
        return "heap=" + heapUsed() + " heapPeak=" + heapPeak + " liveHeap=" + liveHeap
                + " liveHeapPeak=" + liveHeapPeak + " youngPeak=" + youngPeak + " confirmations=" + confirmations
                + " direct=" + directUsed() + " directPeak=" + directPeak;
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Direct memory in use: the JDK's count, or Netty's own when it allocates around the JDK. */
    static long directUsed() {
        return Math.max(DIRECT.getMemoryUsed(), io.netty.util.internal.PlatformDependent.usedDirectMemory());
    }
}
