package dev.hermod;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The blocking view of a publisher behind {@link Hermod#blockingStream}: a subscriber that keeps
 * at most {@code buffer} items, asking for more as the reader takes half of them, and an iterator
 * that waits for the next. Thread-safe between the publisher's thread and one reading thread.
 */
final class BlockingStream<T> implements Flow.Subscriber<T>, Iterator<T> {
    /** Marks the end in the queue: completion, or the failure it carries. */
    private record End(Throwable failure) {}

    private final int buffer;
    private final BlockingQueue<Object> queue;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Object next;
    private boolean ended;
    private int taken;

    private BlockingStream(int buffer) {
        this.buffer = buffer;
        this.queue = new ArrayBlockingQueue<>(buffer + 1); // the items asked for, and the end
    }

    static <T> Stream<T> of(Flow.Publisher<T> publisher, int buffer) {
        BlockingStream<T> view = new BlockingStream<>(buffer);
        publisher.subscribe(view);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(view, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(view::close);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null || closed) {
            s.cancel();
            return;
        }
        subscription = s;
        s.request(buffer);
    }

    @Override
    public void onNext(T item) {
        queue.offer(item); // never full: no more than buffer items are asked for
    }

    @Override
    public void onError(Throwable failure) {
        queue.offer(new End(failure));
    }

    @Override
    public void onComplete() {
        queue.offer(new End(null));
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (ended) {
            return false;
        }
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InvocationCanceledException("interrupted while waiting for the next item of a stream",
                    null, false);
        }
        if (o instanceof End end) {
            ended = true;
            Throwable f = end.failure();
            if (f == null) {
                return false;
            }
            if (f instanceof RuntimeException r) {
                throw r;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new CompletionException(f); // a declared exception: the cause
        }
        next = o;
        if (++taken >= Math.max(1, buffer / 2)) {
            subscription.request(taken);
            taken = 0;
        }
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T item = (T) next;
        next = null;
        return item;
    }

    private void close() {
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
