package dev.hermod.abuse;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The abuse suite's servant. It counts what the server lets through: calls in the servant now
 * and at most (synchronous and asynchronous alike), and calls served, so that the harness can
 * check the server's caps from outside.
 */
final class AbuseServant implements Abuse {
    private static final byte[] EMPTY = new byte[0];
    private final AtomicInteger inServant = new AtomicInteger();
    private final AtomicInteger peakInServant = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "abuse-servant-timer");
        t.setDaemon(true);
        return t;
    });

    int inServant() {
        return inServant.get();
    }

    int peakInServant() {
        return peakInServant.get();
    }

    long served() {
        return served.get();
    }

    void resetPeak() {
        peakInServant.set(inServant.get());
    }

    private int enter() {
        served.incrementAndGet();
        int n = inServant.incrementAndGet();
        peakInServant.accumulateAndGet(n, Math::max);
        return n;
    }

    @Override
    public int ping() {
        served.incrementAndGet();
        return 1;
    }

    @Override
    public byte[] blob(int size) {
        served.incrementAndGet();
        return size <= 0 ? EMPTY : new byte[size];
    }

    @Override
    public byte[] blobAfter(int size, int millis) {
        hold(millis); // counts the call
        return size <= 0 ? EMPTY : new byte[size];
    }

    @Override
    public int take(byte[] data) {
        served.incrementAndGet();
        return data.length;
    }

    @Override
    public int hold(int millis) {
        int n = enter();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inServant.decrementAndGet();
        }
        return n;
    }

    @Override
    public CompletionStage<Integer> holdAsync(int millis) {
        int n = enter();
        CompletableFuture<Integer> f = new CompletableFuture<>();
        timer.schedule(() -> {
            inServant.decrementAndGet();
            f.complete(n);
        }, millis, TimeUnit.MILLISECONDS);
        return f;
    }

    @Override
    public int keys(Map<String, Integer> map) {
        served.incrementAndGet();
        return map.size();
    }

    @Override
    public int shape(Shape shape) {
        served.incrementAndGet();
        return shape.x() + shape.y();
    }

    @Override
    public void note(String text) {
        served.incrementAndGet();
    }
}
