package dev.hermod;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A subscriber for tests: asks for {@code batch} items at first and again each time it has
 * received them all (1 for one at a time; {@code Long.MAX_VALUE} for everything; see
 * {@link #askingOnce} for no more than the first batch), runs
 * {@code onItem} for each, and records what it got and how the stream ended.
 */
final class TestSubscriber<T> implements Flow.Subscriber<T> {
    final List<T> items = new CopyOnWriteArrayList<>();
    /** Completes with null on onComplete, or with the failure on onError. */
    final CompletableFuture<Throwable> end = new CompletableFuture<>();
    private final long batch;
    /** Whether it asks for another batch once it has the last: false for {@link #askingOnce}. */
    private final boolean renew;
    private final Consumer<T> onItem;
    private final Runnable whileSubscribing;
    volatile Flow.Subscription subscription;
    /** Whether a signal came while onSubscribe ran (Reactive Streams rule 1.3 forbids it). */
    final java.util.concurrent.atomic.AtomicBoolean overlapped = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean subscribing;
    private long left;

    TestSubscriber(long batch) {
        this(batch, x -> { });
    }

    TestSubscriber(long batch, Consumer<T> onItem) {
        this(batch, onItem, () -> { });
    }

    /** Runs {@code whileSubscribing} in onSubscribe, after its first request. */
    TestSubscriber(long batch, Consumer<T> onItem, Runnable whileSubscribing) {
        this(batch, onItem, whileSubscribing, true);
    }

    private TestSubscriber(long batch, Consumer<T> onItem, Runnable whileSubscribing, boolean renew) {
        this.batch = batch;
        this.renew = renew;
        this.onItem = onItem;
        this.whileSubscribing = whileSubscribing;
    }

    /** A subscriber that asks for {@code n} items and then for no more. */
    static <T> TestSubscriber<T> askingOnce(long n) {
        return new TestSubscriber<>(n, x -> { }, () -> { }, false);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscribing = true;
        subscription = s;
        left = batch;
        s.request(batch);
        whileSubscribing.run();
        subscribing = false;
    }

    private void signalled() {
        if (subscribing) {
            overlapped.set(true);
        }
    }

    @Override
    public void onNext(T item) {
        signalled();
        items.add(item);
        onItem.accept(item);
        if (renew && batch != Long.MAX_VALUE && --left == 0) {
            left = batch;
            subscription.request(batch);
        }
    }

    @Override
    public void onError(Throwable t) {
        signalled();
        end.complete(t);
    }

    @Override
    public void onComplete() {
        signalled();
        end.complete(null);
    }

    /** Waits for the end of the stream and returns its failure, or null if it completed. */
    Throwable awaitEnd() throws Exception {
        return end.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
}
