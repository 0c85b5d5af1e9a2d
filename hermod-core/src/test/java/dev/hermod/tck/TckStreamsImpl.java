package dev.hermod.tck;

import dev.hermod.TestPublisher;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The servant of {@link TckStreams}, keeping what it hands to the test in queues. */
final class TckStreamsImpl implements TckStreams {
    /** The server's subscribers to the result publisher of {@link #relay}, as Hermod made them. */
    final BlockingQueue<Flow.Subscriber<? super Long>> resultSubscribers = new LinkedBlockingQueue<>();
    /** The argument publishers of {@link #take}, as Hermod made them. */
    final BlockingQueue<Flow.Publisher<Long>> arguments = new LinkedBlockingQueue<>();
    /** Answers every {@link #take} when the test is over. */
    final CompletableFuture<Void> over = new CompletableFuture<>();

    @Override
    public Flow.Publisher<Long> range(long n) {
        return new TestPublisher<>(n, i -> i, null);
    }

    @Override
    public Flow.Publisher<Long> relay() {
        return resultSubscribers::add;
    }

    @Override
    public CompletionStage<Void> take(Flow.Publisher<Long> items) {
        arguments.add(items);
        return over.copy();
    }

    @Override
    public CompletionStage<Long> drain(Flow.Publisher<Long> items) {
        Count count = new Count();
        items.subscribe(count);
        return count.total;
    }

    /** A subscriber that asks for every item and counts them. */
    static final class Count implements Flow.Subscriber<Long> {
        final CompletableFuture<Long> total = new CompletableFuture<>();
        private long n;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Long item) {
            n++;
        }

        @Override
        public void onError(Throwable t) {
            total.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            total.complete(n);
        }
    }

    /** The next thing Hermod handed to the servant; fails the test if nothing comes. */
    static <T> T next(BlockingQueue<T> queue, String what) {
        try {
            T t = queue.poll(30, TimeUnit.SECONDS);
            if (t == null) {
                throw new AssertionError("Hermod handed the servant no " + what);
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
