package dev.hermod.flow;

import dev.hermod.AsyncResult;
import dev.hermod.internal.bridge.Engine;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Keeps at most a fixed number of asynchronous calls in flight: the seed's "keep the pipe full"
 * loop (ZeroC Ice's windowed file transfer) without the bookkeeping.
 *
 * <pre>{@code
 * Window window = Window.of(5);
 * for (long offset = 0; offset < size; offset += chunk.length) {
 *     long at = offset;
 *     window.submit(() -> files.send(at, read(at)));   // waits while 5 are outstanding
 * }
 * window.awaitAll(Duration.ofMinutes(1));              // throws the first failure, if any
 * }</pre>
 *
 * <p>{@link #submit} blocks the calling thread while the window is full, until one of the calls
 * in flight completes; calls complete in any order. The first failure is kept and rethrown by
 * {@link #awaitAll}; further calls are still submitted, so that a caller decides when to stop
 * ({@link #failure()}). On a Hermod I/O thread (a callback of a client built with
 * {@code directCallbacks()}), where blocking could wait for replies only that thread can read,
 * {@link #submit} with the window full and {@link #awaitAll} with calls in flight throw
 * {@link IllegalStateException} instead.
 *
 * <p>Thread-safe: several threads may submit through one window, sharing its limit.
 *
 * @since 0.1
 */
public final class Window {
    private final int size;
    private final Semaphore permits;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private Window(int size) {
        this.size = size;
        this.permits = new Semaphore(size);
    }

    /**
     * Creates a window.
     *
     * @param size the most calls in flight at once
     * @return a new window
     * @throws IllegalArgumentException if {@code size} is less than 1
     */
    public static Window of(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window size must be at least 1: " + size);
        }
        return new Window(size);
    }

    /**
     * Waits until fewer than {@code size} calls are in flight, then starts one.
     *
     * @param call starts an asynchronous call and returns its result; runs in the calling thread
     * @param <R> the type of the result, kept as the call returns it (a typed
     *     {@link AsyncResult.Throwing} stays one)
     * @return the call's result
     * @throws InterruptedException if interrupted while waiting for room (the call is not started)
     * @throws IllegalStateException if the window is full and this is a Hermod I/O thread
     */
    public <R extends AsyncResult<?>> R submit(Supplier<? extends R> call) throws InterruptedException {
        Objects.requireNonNull(call, "call");
        if (!permits.tryAcquire()) {
            refuseOnIoThread("waiting for room in the window");
            permits.acquire();
        }
        R result;
        try {
            result = Objects.requireNonNull(call.get(), "the call returned no result");
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
        result.onComplete((value, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
            permits.release();
        });
        return result;
    }

    /**
     * Waiting on a Hermod I/O thread (in a callback of a client built with
     * {@code directCallbacks()}, or an operation of a server built with {@code directExecutor()})
     * could wait for replies only that thread can read: fail fast instead.
     */
    private static void refuseOnIoThread(String what) {
        if (Engine.get().onIoThread()) {
            throw new IllegalStateException(what + " would block a Hermod I/O thread; submit from another thread");
        }
    }

    /**
     * Returns the number of calls in flight.
     *
     * @return calls started and not yet complete
     */
    public int inFlight() {
        return size - permits.availablePermits();
    }

    /**
     * Returns the first failure among the completed calls.
     *
     * @return the first exception, empty if none failed so far
     */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Waits until every call in flight has completed, then rethrows the first failure, if any.
     *
     * @param timeout the longest time to wait
     * @throws java.util.concurrent.TimeoutException if calls are still in flight after {@code timeout}
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if calls are in flight and this is a Hermod I/O thread
     * @throws Exception the first failure of a call submitted through this window
     */
    public void awaitAll(Duration timeout) throws Exception {
        if (permits.availablePermits() < size) {
            refuseOnIoThread("waiting for the window's calls");
        }
        if (!permits.tryAcquire(size, TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS)) {
            throw new java.util.concurrent.TimeoutException(inFlight() + " calls still in flight after " + timeout);
        }
        permits.release(size);
        Throwable first = failure.get();
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
    }
}
