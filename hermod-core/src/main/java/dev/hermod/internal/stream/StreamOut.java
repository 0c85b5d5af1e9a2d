package dev.hermod.internal.stream;

import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.codec.FrameOutput;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.StreamFrames;
import dev.hermod.internal.transport.Transport;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * The producing side of one stream: subscribes to a local {@link Flow.Publisher} and sends its
 * items as ITEM frames, asking it for no more than the peer's credit allows, and no more than
 * {@link #AHEAD} items beyond those the transport has written (more for small items, as many as
 * fit in {@link #AHEAD_BYTES}, up to {@link #MAX_AHEAD}). While the transport is not writable it
 * asks for nothing, so a slow consumer holds the producer back instead of filling a buffer here.
 *
 * <p>Thread-safe. Credit and writability arrive on the I/O thread; the publisher's signals on its
 * own threads; {@code request} is never called on the I/O thread (a publisher may emit in it).
 */
public final class StreamOut implements Flow.Subscriber<Object> {
    /** Items asked of the publisher and not yet written to the socket, at most: for large items. */
    public static final int AHEAD = 16;
    /**
     * Small items may be asked ahead up to this many bytes, judged by the items sent so far (the
     * consumer's window, {@link StreamIn#WINDOW_BYTES}, is as wide): with 1 KiB items and 16
     * ahead, the publisher was asked again every 8 items written, a hop to its executor each
     * time, and a stream of them moved about a tenth of what a plain socket moves.
     */
    static final long AHEAD_BYTES = StreamIn.WINDOW_BYTES;
    /** The most items asked ahead, however small. */
    public static final int MAX_AHEAD = 1024;

    /** What the owner does when the publisher ends the stream. */
    public interface Ends {
        /** The publisher completed after its last item, which has been handed to the link. */
        void completed();

        /** The publisher failed, or broke the rules, or an item could not be sent. */
        void failed(Throwable failure);
    }

    private final Link link;
    private final int requestId;
    private final int slot;
    private final ValueCoder coder;
    private final Executor executor;
    private final Ends ends;
    private final String what;

    /** Items the peer still allows. Guarded by this. */
    private long credits;
    /** Items asked of the publisher and not yet received. Guarded by this. */
    private long requested;
    /** Item frames handed to the link and not yet written. Guarded by this. */
    private int unwritten;
    /** Item frames written, and their bytes: how large items are, for {@link #ahead}. Guarded by this. */
    private long writtenItems;
    private long writtenBytes;
    /** Waiting for the link to become writable. Guarded by this. */
    private boolean waitingWritable;
    /** Over: completed, failed or canceled; later signals are ignored. Guarded by this. */
    private boolean done;
    private Flow.Subscription subscription;
    /** Canceled before the publisher called onSubscribe. */
    private boolean canceledEarly;

    /**
     * @param slot 0 for a result stream, n for the n-th parameter
     * @param coder encodes one item
     * @param executor where {@code request} is called when the caller is an I/O thread
     * @param what the stream, for messages
     */
    public StreamOut(Link link, int requestId, int slot, ValueCoder coder, Executor executor, Ends ends, String what) {
        this.link = link;
        this.requestId = requestId;
        this.slot = slot;
        this.coder = coder;
        this.executor = executor;
        this.ends = ends;
        this.what = what;
    }

    /** Subscribes to {@code publisher}; a publisher that throws fails the stream. */
    public void start(Flow.Publisher<?> publisher) {
        try {
            publisher.subscribe(this);
        } catch (RuntimeException e) {
            end(e);
        }
    }

    /** The peer granted {@code n} more items. */
    public void credit(long n) {
        synchronized (this) {
            credits = credits + n < 0 ? Long.MAX_VALUE : credits + n;
        }
        pump();
    }

    /** Stops the stream: the publisher's subscription is canceled, and the owner hears nothing more. */
    public void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            s = subscription;
            canceledEarly = s == null;
        }
        if (s != null) {
            cancelQuietly(s);
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        java.util.Objects.requireNonNull(s, "onSubscribe(null) (Reactive Streams rule 2.13)");
        boolean cancel;
        synchronized (this) {
            cancel = subscription != null || canceledEarly || done;
            if (subscription == null) {
                subscription = s;
            }
        }
        if (cancel) { // rule 2.5: a second subscription is canceled
            cancelQuietly(s);
            return;
        }
        pump();
    }

    @Override
    public void onNext(Object item) {
        if (item == null) { // rule 2.13: the stream ends, and the publisher hears why
            NullPointerException npe = new NullPointerException("the publisher of " + what
                    + " sent a null item (Reactive Streams rule 2.13)");
            failUpstream(npe);
            throw npe;
        }
        boolean overflow;
        Flow.Subscription s;
        synchronized (this) {
            if (done) {
                return;
            }
            s = subscription;
            overflow = requested == 0;
            if (overflow) {
                done = true;
            } else {
                requested--;
                credits--;
                unwritten++;
            }
        }
        if (overflow) {
            cancelQuietly(s);
            ends.failed(new IllegalStateException("the publisher of " + what
                    + " sent more items than were requested (Reactive Streams rule 1.1)"));
            return;
        }
        // Sized for the item: a frame grown as the item is encoded copies what it holds at each
        // step, about twice the item's bytes again for a 64 KiB byte[] (hermod-bench's stream).
        ByteBuf frame = StreamFrames.beginItem(link.alloc(), requestId, slot, FrameOutput.sizeHint(item));
        try {
            FrameOutput.encodeOne(coder, item, frame);
        } catch (Exception | StackOverflowError e) {
            frame.release();
            failUpstream(Failures.marshal("cannot encode an item of " + what + ": " + e.getMessage(), e, false));
            return;
        }
        Frames.end(frame);
        int length = Frames.frameLength(frame);
        if (length > link.sendLimit()) {
            frame.release();
            failUpstream(Failures.marshal("an item of " + what + " is " + length + " bytes, above "
                    + link.describeSendLimit(), null, false));
            return;
        }
        link.sendAndTell(frame, f -> written(length));
    }

    private void written(int bytes) {
        synchronized (this) {
            unwritten--;
            writtenItems++;
            writtenBytes += bytes;
        }
        pump();
    }

    /** Items to ask ahead of those written: {@link #AHEAD}, or as many as fit in {@link #AHEAD_BYTES}. Under the lock. */
    private int ahead() {
        if (writtenItems == 0) {
            return AHEAD;
        }
        return (int) Math.max(AHEAD, Math.min(MAX_AHEAD, AHEAD_BYTES * writtenItems / writtenBytes));
    }

    @Override
    public void onError(Throwable failure) {
        if (failure == null) { // rule 2.13: the stream ends, and the publisher hears why
            NullPointerException npe = new NullPointerException("the publisher of " + what
                    + " called onError(null) (Reactive Streams rule 2.13)");
            end(npe);
            throw npe;
        }
        end(failure);
    }

    @Override
    public void onComplete() {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
        }
        ends.completed();
    }

    private void end(Throwable failure) {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
        }
        ends.failed(failure);
    }

    /** The item could not be sent: the publisher is told to stop and the owner learns why. */
    private void failUpstream(Throwable failure) {
        Flow.Subscription s;
        boolean first;
        synchronized (this) {
            first = !done;
            done = true;
            s = subscription;
        }
        if (s != null) {
            cancelQuietly(s);
        }
        if (first) {
            ends.failed(failure);
        }
    }

    /**
     * Asks the publisher for what the credit and the transport allow now. Off the I/O thread: a
     * publisher may emit, and so run user code, inside {@code request}.
     */
    private void pump() {
        long n;
        Flow.Subscription s;
        boolean waitWritable;
        synchronized (this) {
            s = subscription;
            if (done || s == null) {
                return;
            }
            int ahead = ahead();
            n = Math.min(credits, ahead - unwritten) - requested;
            // In batches of half the window while items are in flight: asking for one item each
            // time one is written costs a hop to the executor per item.
            if (n <= 0 || n < ahead / 2 && requested + unwritten > 0) {
                return;
            }
            waitWritable = !link.isWritable() && link.isOpen();
            if (waitWritable) {
                if (waitingWritable) {
                    return; // already waiting: its writable() pumps again
                }
                waitingWritable = true;
            } else {
                requested += n;
            }
        }
        if (waitWritable) {
            // Not under the lock: whenWritable may run every waiter of the link in this thread,
            // other streams' too, which take their own locks; another thread doing the same
            // under its stream's lock would wait for this one while this one waits for it. No
            // wake-up is lost: whenWritable looks at the writability after queueing the waiter.
            link.whenWritable(this::writable);
            return;
        }
        long ask = n;
        if (Transport.onIoThread()) {
            executor.execute(() -> request(s, ask));
        } else {
            request(s, ask);
        }
    }

    private void writable() {
        synchronized (this) {
            waitingWritable = false;
        }
        pump();
    }

    private void request(Flow.Subscription s, long n) {
        try {
            s.request(n);
        } catch (RuntimeException e) { // rule 3.16 forbids it; the stream cannot go on
            failUpstream(e);
        }
    }

    private static void cancelQuietly(Flow.Subscription s) {
        try {
            s.cancel();
        } catch (RuntimeException e) {
            // rule 3.15: cancel must not throw; nothing more to do with this publisher
        }
    }

    /** Whether the stream is over. */
    public synchronized boolean isDone() {
        return done;
    }

    @Override
    public String toString() {
        return "StreamOut[" + what + "]";
    }
}
