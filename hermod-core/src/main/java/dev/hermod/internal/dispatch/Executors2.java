package dev.hermod.internal.dispatch;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default executors: for dispatch, virtual threads where the JDK has them and a bounded pool
 * otherwise; for callbacks, a small pool sized to the processors.
 */
public final class Executors2 {
    static final int POOL_THREADS = 64;
    static final int POOL_QUEUE = 10_000;

    private Executors2() {}

    /** A new dispatch executor whose threads are named after {@code name}. */
    public static ExecutorService dispatchExecutor(String name) {
        ExecutorService virtual = virtualThreadExecutor(name);
        if (virtual != null) {
            return virtual;
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(POOL_QUEUE), new DefaultThreadFactory(name, true));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Built by reflection: the code is compiled for Java 17, where virtual threads do not exist. */
    private static ExecutorService virtualThreadExecutor(String name) {
        if (Runtime.version().feature() < 21) {
            return null;
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            builder = builderType.getMethod("name", String.class, long.class).invoke(builder, name + "-", 0L);
            ThreadFactory factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
            Method perTask = java.util.concurrent.Executors.class.getMethod("newThreadPerTaskExecutor",
                    ThreadFactory.class);
            return (ExecutorService) perTask.invoke(null, factory);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /**
     * The callback executor a user gave, kept off Hermod's I/O threads. An executor may run a task
     * in the thread that hands it over: one that runs every task so ({@code Runnable::run}), or a
     * pool whose {@link java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy} does when it is
     * full. Handed over by an I/O thread, such a task (callbacks, dependent stages, decoding)
     * would run there: it would stall every connection of the thread while it ran, and a result's
     * {@code value()} in it would fail. A task that finds itself on an I/O thread moves to the
     * common pool instead, as a refused one does ({@link #runRefused}). One object per task handed
     * over; the client's own pool never runs a task in the caller and is not wrapped.
     */
    public static java.util.concurrent.Executor offIoThreads(java.util.concurrent.Executor executor) {
        return task -> executor.execute(() -> runRefused(task)); // here, or off the I/O thread it finds itself on
    }

    /**
     * Runs {@code task} that an executor refused (it was shut down, or is full): here, unless this
     * is an I/O thread, where user code must never run; then on the common pool. The rule lives in
     * {@link dev.hermod.internal.transport.Transport#runRefused}, where the stream layer, below
     * this one, reaches it too.
     */
    public static void runRefused(Runnable task) {
        dev.hermod.internal.transport.Transport.runRefused(task);
    }

    /** A new callback executor: as many threads as processors (at least two), idle ones time out. */
    public static ExecutorService callbackExecutor(String name) {
        int n = Math.max(2, Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(name, true));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
