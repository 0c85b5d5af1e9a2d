package dev.hermod.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;

/** The servant of {@link Ticker}; tells when a stream of ticks ended because its caller canceled it. */
final class TickerImpl implements Ticker {
    final CountDownLatch ticksCanceled = new CountDownLatch(1);

    @Override
    public Flow.Publisher<Integer> countdown(int from) {
        return subscriber -> {
            SubmissionPublisher<Integer> p = new SubmissionPublisher<>();
            p.subscribe(subscriber);
            Thread t = new Thread(() -> {
                for (int i = from; i >= 1; i--) {
                    p.submit(i); // blocks while the caller has given no credit
                }
                p.close();
            }, "countdown");
            t.setDaemon(true);
            t.start();
        };
    }

    @Override
    public Flow.Publisher<Long> ticks(long millis) {
        return subscriber -> {
            SubmissionPublisher<Long> p = new SubmissionPublisher<>();
            p.subscribe(subscriber);
            Thread t = new Thread(() -> {
                try {
                    for (long n = 0; p.hasSubscribers(); n++) {
                        p.submit(n);
                        Thread.sleep(millis);
                    }
                    ticksCanceled.countDown(); // the subscriber is gone: the caller canceled
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    p.close();
                }
            }, "ticks");
            t.setDaemon(true);
            t.start();
        };
    }

    @Override
    public int count(Flow.Publisher<String> items) {
        throw new UnsupportedOperationException("not called by these tests");
    }
}
