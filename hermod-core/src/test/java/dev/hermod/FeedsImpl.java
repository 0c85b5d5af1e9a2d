package dev.hermod;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SubmissionPublisher;

/** The servant of {@link Feeds}; keeps the publishers it made so tests can see how they were used. */
final class FeedsImpl implements Feeds {
    final LinkedBlockingQueue<TestPublisher<?>> made = new LinkedBlockingQueue<>();

    private <T> TestPublisher<T> keep(TestPublisher<T> p) {
        made.add(p);
        return p;
    }

    @Override
    public Flow.Publisher<Integer> count(int n) {
        return keep(new TestPublisher<>(n, i -> (int) i, null));
    }

    @Override
    public Flow.Publisher<String> blobs(int items, int size) {
        String blob = "x".repeat(size);
        return keep(new TestPublisher<>(items, i -> blob, null));
    }

    @Override
    public Flow.Publisher<String> failing(int after) throws NoSuchEmployee {
        return keep(new TestPublisher<>(after, i -> "item " + i, new NoSuchEmployee(after)));
    }

    @Override
    public Flow.Publisher<String> crashing(int after) {
        return keep(new TestPublisher<>(after, i -> "item " + i, new IllegalStateException("broke after " + after)));
    }

    @Override
    public Flow.Publisher<Long> endless() {
        return keep(new TestPublisher<>(Long.MAX_VALUE, i -> i, null));
    }

    @Override
    public CompletionStage<Long> sum(Flow.Publisher<Integer> numbers) {
        CompletableFuture<Long> total = new CompletableFuture<>();
        long[] sum = new long[1];
        numbers.subscribe(new OneAtATime<Integer>(total::completeExceptionally, () -> total.complete(sum[0])) {
            @Override
            void take(Integer item) {
                sum[0] += item;
            }
        });
        return total;
    }

    @Override
    public Flow.Publisher<String> shout(Flow.Publisher<String> lines) {
        // A processor: each line goes out as it comes, as the caller's credit allows. It reads the
        // lines once the answers have a subscriber, so that none is dropped before.
        return subscriber -> {
            SubmissionPublisher<String> out = new SubmissionPublisher<>(Runnable::run, 4);
            out.subscribe(subscriber);
            lines.subscribe(new OneAtATime<String>(out::closeExceptionally, out::close) {
                @Override
                void take(String line) {
                    out.submit(line.toUpperCase(java.util.Locale.ROOT)); // blocks while the caller reads slowly
                }
            });
        };
    }

    /** Takes a stream one item at a time. */
    abstract static class OneAtATime<T> implements Flow.Subscriber<T> {
        private final java.util.function.Consumer<Throwable> failed;
        private final Runnable completed;
        private Flow.Subscription s;

        OneAtATime(java.util.function.Consumer<Throwable> failed, Runnable completed) {
            this.failed = failed;
            this.completed = completed;
        }

        abstract void take(T item);

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            s.request(1);
        }

        @Override
        public void onNext(T item) {
            take(item);
            s.request(1);
        }

        @Override
        public void onError(Throwable t) {
            failed.accept(t);
        }

        @Override
        public void onComplete() {
            completed.run();
        }
    }
}
