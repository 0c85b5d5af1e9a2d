package dev.hermod.resolve;

import java.net.URI;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A resolver the test drives: it reports what the test tells it to ({@link #report}, {@link #fail}),
 * and counts the client's refreshes and closes. Its provider takes the scheme {@code test}.
 */
final class TestResolver implements NameResolver {
    final URI target;
    final ScheduledExecutorService scheduler;
    volatile Listener listener;
    final AtomicInteger refreshes = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    TestResolver(URI target, ScheduledExecutorService scheduler) {
        this.target = target;
        this.scheduler = scheduler;
    }

    /** A provider whose resolvers the test reads back. */
    static final class TestProvider implements Provider {
        volatile TestResolver last;

        @Override
        public String scheme() {
            return "test";
        }

        @Override
        public NameResolver newResolver(URI target, ScheduledExecutorService scheduler) {
            if (target.getAuthority() == null) {
                throw new IllegalArgumentException("expected test://name, not " + target);
            }
            last = new TestResolver(target, scheduler);
            return last;
        }
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
    }

    void report(Endpoint... endpoints) {
        listener.onEndpoints(List.of(endpoints));
    }

    void fail(Throwable error) {
        listener.onError(error);
    }

    @Override
    public void refresh() {
        refreshes.incrementAndGet();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
