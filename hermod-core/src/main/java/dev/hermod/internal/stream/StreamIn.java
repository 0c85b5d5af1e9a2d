package dev.hermod.internal.stream;

import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.codec.LeanCoder;
import dev.hermod.internal.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The consuming side of one stream, as the {@link Flow.Publisher} the application subscribes to:
 * its subscriber's {@code request(n)} becomes credit for the peer, never more than
 * {@link #WINDOW} items beyond what has been delivered (up to {@link #MAX_WINDOW} small ones, as
 * many as fit in 256 KiB), so at most that many items are on the wire or buffered here. Items
 * arrive as bytes and are decoded on the executor, one at a time, in order, except large ones
 * whose decoding runs no code of the application's ({@link #item(ByteBuf)}); signals to the
 * subscriber never overlap (rule 1.3) and never run on an I/O thread.
 *
 * <p>One subscriber: a second one gets {@code onError(IllegalStateException)}. Thread-safe.
 */
public final class StreamIn implements Flow.Publisher<Object>, Flow.Subscription {
    /** Items granted to the peer and not yet delivered, at most, until the items' size is known. */
    public static final int WINDOW = 32;
    /**
     * Small items get a wider window, up to this many: as many as fit in {@link #WINDOW_BYTES}
     * at the average size of those received, so that a stream of small items is not bound by
     * round trips (32 items of 1 KiB per round trip would be).
     */
    public static final int MAX_WINDOW = 1024;
    /** What a window of small items holds, in encoded bytes. */
    static final long WINDOW_BYTES = 256 * 1024;
    /** Items one run of the delivery loop hands over before it lets the executor run others. */
    static final int ITEMS_PER_RUN = 64;
    /**
     * The smallest item decoded where it arrives, on the I/O thread, when its decoding runs no
     * code of the application's ({@link #item(ByteBuf)}).
     */
    static final int DECODED_ON_ARRIVAL = 16 * 1024;

    private final ValueCoder coder;
    private final Executor executor;
    private final LongConsumer grant;
    private final Runnable onCancel;
    private final String what;

    /**
     * Items that arrived and are not yet delivered: encoded ({@code byte[]}), or already decoded
     * ({@link Decoded}). Guarded by this.
     */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** Items the subscriber asked for and has not received. Guarded by this. */
    private long demand;
    /** Items granted to the peer that have not arrived. Guarded by this. */
    private long outstanding;
    /** Items received, and their encoded bytes: the window follows their average size. Guarded by this. */
    private long receivedItems;
    private long receivedBytes;
    /**
     * The subscriber; dropped once it canceled or had its terminal signal (rule 3.13), so that
     * a stream kept until its call ends does not keep it. Guarded by this.
     */
    private Flow.Subscriber<Object> subscriber;
    /** A subscriber came (the stream takes one). Guarded by this. */
    private boolean subscribed;
    /**
     * Its {@code onSubscribe} is still to be called: by the drain loop, before any other signal,
     * so that none overlaps it (rule 1.3). Guarded by this.
     */
    private boolean announce;
    /** The stream ended well: delivered once the queue is empty. Guarded by this. */
    private boolean completed;
    /** The stream failed: delivered after the items the subscriber already asked for. Guarded by this. */
    private Throwable failure;
    /** The subscriber canceled, or has had its terminal signal. Guarded by this. */
    private boolean over;
    private boolean canceled;
    private final AtomicInteger wip = new AtomicInteger();

    /**
     * @param coder decodes one item
     * @param executor runs the subscriber's signals
     * @param grant sends credit for that many more items to the peer; called on any thread
     * @param onCancel runs once if the subscriber cancels before the stream ends
     * @param what the stream, for messages
     */
    public StreamIn(ValueCoder coder, Executor executor, LongConsumer grant, Runnable onCancel, String what) {
        this.coder = coder;
        this.executor = executor;
        this.grant = grant;
        this.onCancel = onCancel;
        this.what = what;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Object> s) {
        java.util.Objects.requireNonNull(s, "subscriber (rule 1.9)");
        boolean first;
        synchronized (this) {
            first = !subscribed;
            subscribed = true;
            if (first) {
                @SuppressWarnings("unchecked")
                Flow.Subscriber<Object> cast = (Flow.Subscriber<Object>) s;
                subscriber = cast;
                announce = true;
            }
        }
        if (!first) {
            execute(() -> {
                s.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {}

                    @Override
                    public void cancel() {}
                });
                s.onError(new IllegalStateException(what + " takes one subscriber, and has one"));
            });
            return;
        }
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            fail(new IllegalArgumentException(what + ": request(" + n + ") must ask for a positive number (rule 3.9)"));
            cancelUpstream();
            return;
        }
        synchronized (this) {
            if (over) {
                return;
            }
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
        grantCredit();
        drain();
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (over) {
                return;
            }
            over = true;
            subscriber = null;
            queue.clear();
        }
        cancelUpstream();
    }

    private void cancelUpstream() {
        boolean first;
        synchronized (this) {
            first = !canceled && !completed;
            canceled = true;
        }
        if (first) {
            onCancel.run();
        }
    }

    /** An item decoded as it arrived ({@link #item(ByteBuf)}), waiting for the subscriber. */
    private record Decoded(Object value) {}

    /**
     * An item arrived as the readable bytes of {@code body} (I/O thread), which stays the caller's
     * to release. Returns false if the peer sent more than it was granted, which is its error.
     *
     * <p>Items are copied out of the frame and decoded on the executor, which copies a
     * {@code byte[]} item a second time. A large item (from {@value #DECODED_ON_ARRIVAL} bytes)
     * whose decoding runs no code of the application's ({@code byte[]}, {@code String}, numbers:
     * {@link LeanCoder#decodesWithoutUserCode}) and which is one byte or text string
     * ({@link LeanCoder#isOneString}) is decoded here instead, straight from a frame on the heap:
     * its bytes are copied once, into the value, and the I/O thread does no more than the copy it
     * made anyway. (Anything else a peer sends in its place, however nested, goes to the executor
     * to be walked and refused there, not on the I/O thread that serves other connections.)
     * Together with frames sized for their item ({@link StreamOut}), this took 15 to 25% off the
     * CPU time of a stream of 64 KiB {@code byte[]} items (hermod-bench MEASUREMENTS.md, 2026-12-07
     * afternoon). A small item is still decoded on the executor: decoding it costs more than
     * copying it, and the I/O thread is the busier one. An item that fails to decode here is
     * queued encoded all the same: the executor's decoding fails it again, in its turn among the
     * items.
     */
    public boolean item(ByteBuf body) {
        int length = body.readableBytes();
        Object item = null;
        if (length >= DECODED_ON_ARRIVAL && body.hasArray() && coder instanceof LeanCoder lean
                && lean.decodesWithoutUserCode()
                && lean.isOneString(body.array(), body.arrayOffset() + body.readerIndex(), length)) {
            try {
                item = new Decoded(lean.decodeOne(body.array(), body.arrayOffset() + body.readerIndex(), length));
            } catch (Exception e) {
                item = null; // decoded again, and failed, on the executor
            }
        }
        synchronized (this) {
            if (outstanding == 0) {
                return false;
            }
            outstanding--;
            receivedItems++;
            receivedBytes += length;
            if (over || failure != null) {
                return true; // dropped: nobody will take it
            }
            queue.add(item != null ? item : ByteBufUtil.getBytes(body));
        }
        drain();
        return true;
    }

    /** The peer sent every item: the subscriber completes after the last one. */
    public void complete() {
        synchronized (this) {
            if (completed || failure != null) {
                return;
            }
            completed = true;
        }
        drain();
    }

    /** The stream failed: the subscriber gets the items it asked for that are here, then {@code why}. */
    public void fail(Throwable why) {
        synchronized (this) {
            if (completed || failure != null) {
                return;
            }
            failure = why;
        }
        drain();
    }

    /** Whether the stream has ended, for the subscriber or by it. */
    public synchronized boolean isOver() {
        return over || completed || failure != null;
    }

    /** Credit to grant now: what the demand allows within the window, in batches of half a window. */
    private void grantCredit() {
        long n;
        synchronized (this) {
            if (over || completed || failure != null) {
                return;
            }
            long window = receivedItems == 0 ? WINDOW
                    : Math.max(WINDOW, Math.min(MAX_WINDOW, WINDOW_BYTES * receivedItems / Math.max(1, receivedBytes)));
            long target = Math.min(demand, window);
            n = target - outstanding - queue.size();
            if (n <= 0 || n < Math.max(1, target / 2)) {
                return;
            }
            outstanding += n;
        }
        grant.accept(n);
    }

    private void drain() {
        if (wip.getAndIncrement() == 0) {
            execute(this::drainLoop);
        }
    }

    /**
     * Hands {@code task} to the executor, or, once it refuses (the client closed and shut its
     * callback executor down), runs it anyway, off the I/O thread: a refused drain would leave
     * {@code wip} above 0 for good, and the subscriber without its end.
     */
    private void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            Transport.runRefused(task);
        }
    }

    /**
     * Delivers what the demand allows, then the end; one run at a time (rule 1.3). A run hands
     * over at most {@link #ITEMS_PER_RUN} items, then goes to the back of the executor's line if
     * more are waiting: the executor's threads are shared with every other stream and callback of
     * the client, and a slow subscriber with items always waiting would otherwise keep one for as
     * long as the stream lasts.
     */
    private void drainLoop() {
        int missed = 1;
        int delivered = 0;
        while (true) {
            while (true) {
                if (delivered == ITEMS_PER_RUN) {
                    try {
                        executor.execute(this::drainLoop); // wip stays above 0: no other run starts meanwhile
                        return;
                    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                        delivered = 0; // nobody else will run: go on here
                    }
                }
                Object next;
                Flow.Subscriber<Object> s;
                Throwable end = null;
                boolean complete = false;
                boolean first;
                synchronized (this) {
                    s = subscriber;
                    if (over || s == null) {
                        break;
                    }
                    first = announce;
                    announce = false;
                }
                if (first) {
                    try {
                        s.onSubscribe(this); // its request(n) comes back here as a missed drain
                    } catch (Throwable t) { // rule 2.13: the subscriber is broken; stop sending to it
                        cancel();
                        break;
                    }
                    continue;
                }
                synchronized (this) {
                    if (over) {
                        break;
                    }
                    next = demand > 0 ? queue.poll() : null;
                    if (next != null) {
                        demand--;
                    } else if (failure != null) {
                        end = failure;
                        over = true;
                        subscriber = null;
                        queue.clear();
                    } else if (completed && queue.isEmpty()) {
                        complete = true;
                        over = true;
                        subscriber = null;
                    } else {
                        break;
                    }
                }
                if (end != null) {
                    s.onError(end);
                    break;
                }
                if (complete) {
                    s.onComplete();
                    break;
                }
                Object value;
                try {
                    value = next instanceof Decoded d ? d.value() : coder.decode(ByteBuffer.wrap((byte[]) next))[0];
                } catch (Exception e) {
                    fail(Failures.marshal("cannot decode an item of " + what + ": " + e.getMessage(), e, false));
                    cancelUpstream();
                    continue;
                }
                try {
                    s.onNext(value);
                } catch (Throwable t) { // rule 2.13: the subscriber is broken
                    cancel();
                    break;
                }
                delivered++;
                grantCredit();
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "StreamIn[" + what + "]";
    }
}
