package dev.hermod;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A publisher for tests that honours demand exactly and records how it was used: the most items
 * ever requested and not yet emitted, how many it emitted, and whether it was canceled. Emits on
 * a thread of its own, one item per unit of demand; {@code failAfter} items then an error, or
 * {@code count} items then completion ({@code Long.MAX_VALUE} for no end).
 */
public final class TestPublisher<T> implements Flow.Publisher<T> {
    private final long count;
    private final LongFunction<T> item;
    private final Throwable failure;
    final AtomicLong emitted = new AtomicLong();
    final AtomicLong maxUnfulfilled = new AtomicLong();
    final CountDownLatch canceled = new CountDownLatch(1);
    private static final ExecutorService EMITTERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-publisher");
        t.setDaemon(true);
        return t;
    });

    public TestPublisher(long count, LongFunction<T> item, Throwable failure) {
        this.count = count;
        this.item = item;
        this.failure = failure;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
        s.onSubscribe(new Flow.Subscription() {
            private long demand;
            private boolean running;
            private volatile boolean stopped;

            @Override
            public void request(long n) {
                synchronized (this) {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    maxUnfulfilled.accumulateAndGet(Math.min(demand, 1_000_000), Math::max);
                    if (running) {
                        return;
                    }
                    running = true;
                }
                EMITTERS.execute(this::emit);
            }

            private void emit() {
                while (!stopped) {
                    synchronized (this) {
                        if (demand == 0) {
                            running = false;
                            return;
                        }
                        demand--;
                    }
                    long i = emitted.get();
                    if (i >= count) {
                        stopped = true;
                        if (failure != null) {
                            s.onError(failure);
                        } else {
                            s.onComplete();
                        }
                        return;
                    }
                    emitted.incrementAndGet();
                    s.onNext(item.apply(i));
                }
            }

            @Override
            public void cancel() {
                stopped = true;
                canceled.countDown();
            }
        });
    }
}
