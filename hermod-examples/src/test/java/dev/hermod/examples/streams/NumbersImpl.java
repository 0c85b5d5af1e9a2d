package dev.hermod.examples.streams;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.FlowAdapters;
import reactor.core.publisher.Flux;

/**
 * {@link Numbers} written with Reactor, as a servant that already uses it would be; records what
 * Hermod asked of its publishers, and what they emitted.
 */
final class NumbersImpl implements Numbers {
    /** The largest single request Hermod made of a result publisher. */
    final AtomicLong largestRequest = new AtomicLong();
    /** Items the result publishers emitted. */
    final AtomicLong emitted = new AtomicLong();
    /** Items {@link #sum} received. */
    final AtomicLong received = new AtomicLong();
    final CountDownLatch canceled = new CountDownLatch(1);

    @Override
    public Flow.Publisher<Long> count(int n) {
        return watched(Flux.range(0, n).map(i -> (long) i));
    }

    @Override
    public Flow.Publisher<Long> endless() {
        return watched(Flux.<Long, Long>generate(() -> 0L, (i, sink) -> {
            sink.next(i);
            return i + 1;
        }));
    }

    private Flow.Publisher<Long> watched(Flux<Long> numbers) {
        return FlowAdapters.toFlowPublisher(numbers
                .doOnNext(x -> emitted.incrementAndGet())
                .doOnRequest(n -> largestRequest.accumulateAndGet(n, Math::max))
                .doOnCancel(canceled::countDown));
    }

    @Override
    public CompletionStage<Long> sum(Flow.Publisher<Long> numbers) {
        return Flux.from(FlowAdapters.toPublisher(numbers))
                .doOnNext(x -> received.incrementAndGet())
                .reduce(0L, Long::sum)
                .toFuture();
    }
}
