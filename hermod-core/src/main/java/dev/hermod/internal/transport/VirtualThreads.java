package dev.hermod.internal.transport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Whether the current thread is virtual, for what is kept per thread and reused: a virtual thread
 * may run one call and end, so a per-thread object would be made for every call and never reused.
 * Thread-safe.
 */
public final class VirtualThreads {
    /** {@code Thread.isVirtual()} on Java 21 and later; null on 17, where every thread is a platform thread. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private VirtualThreads() {}

    /** Returns whether the calling thread is a virtual thread (never, before Java 21). */
    public static boolean current() {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null; // before Java 21
        }
    }
}
