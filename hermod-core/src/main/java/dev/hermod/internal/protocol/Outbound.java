package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;
import java.nio.channels.ClosedChannelException;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

// One file, a little past 500 lines: one queue and its one drain, with the batch they fill and
// the waiters of its writes; splitting the batching from the queue would put the order they keep
// together across two classes.
/**
 * The frames a link writes, in the order they were handed over, written by the channel's I/O
 * thread in batches. Frames from other threads wait in one queue, and one task writes all that are
 * there and flushes once, where Netty's own {@code writeAndFlush} from another thread costs a task
 * object, a task-queue entry, a trip through the pipeline's flush consolidation and often a
 * wake-up of the I/O thread per frame.
 *
 * <p>Small frames (up to {@value #COPY_LIMIT} bytes, the requests and replies of most calls) are
 * copied into one buffer per batch and released at once, so that the pipeline and the channel's
 * outbound buffer see one message per batch rather than one per frame: a frame's trip through the
 * pipeline, its outbound-buffer entry and its own I/O vector cost more than copying a few hundred
 * bytes (hermod-bench {@code throughput}, async-profiler). A frame whose writer waits for its
 * write learns the outcome of its batch's write. Larger frames are written as they are, after the
 * batch before them.
 *
 * <p>Order is the order of hand-over, whatever the thread: a frame is written after every frame
 * handed over before it. On the I/O thread a frame joins the batch at once, after the frames that
 * wait in the queue; the batch is written and flushed when the channel's read ends or, at the
 * latest, by a task that runs after the current one. A frame that must be made on the I/O thread
 * (a progress report that carries the latest fraction, say) is handed over as a
 * {@linkplain #sendLater supplier} and made when its turn comes, so a frame its thread hands over
 * afterwards (the reply) still goes after it. Netty's write tasks keep each thread's program order
 * across tasks; this queue keeps it across threads too.
 *
 * <p>Frames waiting here count towards the channel's writability from the moment they are handed
 * over, as Netty's own write tasks do: past the channel's high-water mark of waiting bytes, a
 * flag of the channel's outbound buffer makes it unwritable (and Netty reports the change) until
 * the I/O thread has written them, where the outbound buffer counts them itself. (A batch being
 * filled on the I/O thread is written within the same turn, and counted then.)
 *
 * <p>Thread-safe.
 */
final class Outbound {
    /**
     * A frame whose writer wants to learn how its write went: {@code waiter} is its
     * {@link ChannelPromise} or a {@link ChannelFutureListener} told of the write it went out in.
     */
    private record Promised(ByteBuf frame, Object waiter) {}

    /** Tells {@code listener} of {@code write}; what it throws is logged, as Netty logs a listener's failure. */
    static void tell(ChannelFutureListener listener, ChannelFuture write) {
        try {
            listener.operationComplete(write);
        } catch (Throwable t) {
            org.slf4j.LoggerFactory.getLogger(Outbound.class).warn("{}: a write's listener failed", write.channel(), t);
        }
    }

    /** The outbound buffer's user-defined writability flag this queue clears while it holds too much. */
    static final int WRITABILITY_FLAG = 1;
    /** The largest frame copied into a batch; a larger one is written as it is. */
    static final int COPY_LIMIT = 2048;
    /** The most a batch buffer holds; a frame that does not fit starts the next one. */
    static final int BATCH_MAX = 64 * 1024;
    /** The lent frame buffer's first capacity ({@link #lendFrameBuffer}). */
    private static final int SCRATCH_INITIAL = 256;
    /** The largest lent frame buffer kept for the next frame; a larger one is let go once given back. */
    private static final int SCRATCH_KEPT = 4096;
    /** The smallest batch buffer allocated. */
    private static final int BATCH_MIN = 512;
    /** Bytes written without a flush after which the I/O thread flushes before the turn ends. */
    static final int FLUSH_BYTES = 256 * 1024;
    /**
     * Frames sent without a flush after which the I/O thread flushes before the turn ends, as
     * Netty's flush consolidation does by default: during a long read the peer starts on the first
     * replies while the rest are made.
     */
    static final int FLUSH_FRAMES = 256;

    private final Channel channel;
    private final EventLoop loop;
    /** Null for a channel already closed when this was made: nothing is written to it then. */
    private final ChannelOutboundBuffer buffer;
    /** Bytes of the frames waiting in the queue; counted before a frame is queued, so never too few. */
    private final AtomicLong waitingBytes = new AtomicLong();
    /**
     * Entries: a {@link ByteBuf} (nobody waits for its write), a {@link Promised}, a
     * {@link FrameListener} (its own entry) or a {@link Supplier}.
     */
    private final Queue<Object> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainAndFlush;
    /** Writes a synchronous caller's request on the caller's thread; null where that cannot be. */
    private volatile DirectWrites direct;
    private final java.util.function.BooleanSupplier nothingWaiting = this::nothingWaiting;
    /** Whether the I/O thread is writing what waits. I/O thread only. */
    private boolean draining;
    /** Where the batch's flush starts: past the flush consolidation, which the batch needs no longer. */
    private ChannelHandlerContext flushFrom;
    /** The small frames copied since the last batch was written; null when none. I/O thread only. */
    private ByteBuf batch;
    /** The size of the last batch written, to size the next. I/O thread only. */
    private int lastBatchBytes = BATCH_MIN;
    /**
     * Those of the frames in {@link #batch} whose writers wait, the first {@link #waiterCount}: a
     * frame's {@link ChannelPromise} or a {@link ChannelFutureListener}.
     */
    private Object[] waiters = new Object[8];
    private int waiterCount;
    /**
     * An array of waiters whose batch was written, given back ({@link #recycle}) to hold the next
     * batch's: a batch is usually written before the next one is, so one spare saves an array
     * per batch. Null when there is none. I/O thread only.
     */
    private Object[] spareWaiters;
    /** Bytes written to the channel since its last flush. I/O thread only. */
    private long unflushed;
    /** Whether something was written to the channel since its last flush. I/O thread only. */
    private boolean flushPending;
    /** Frames sent since the channel's last flush. I/O thread only. */
    private int unflushedFrames;
    /**
     * The buffer {@link #lendFrameBuffer} lends, made on first use; null when none. Its release
     * does nothing, so a path that drops the frame it holds cannot free it. I/O thread only.
     */
    private ByteBuf scratch;
    /** Whether {@link #scratch} is lent out. I/O thread only. */
    private boolean scratchLent;

    Outbound(Channel channel) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.buffer = channel.unsafe().outboundBuffer();
    }

    /** Lets a synchronous caller's thread write its request itself through {@code writes} when nothing waits here. */
    void writeDirectly(DirectWrites writes) {
        direct = writes;
    }

    /** From any thread, as the channel is about to close: no frame is written by its sender from now on. */
    void refuseDirectWrites() {
        DirectWrites d = direct;
        if (d != null) {
            d.refuseCallers();
        }
    }

    /** Whether no frame waits here to be written: no drain is due, the queue is empty. */
    private boolean nothingWaiting() {
        return !scheduled.get() && queue.isEmpty() && waitingBytes.get() == 0;
    }

    /** Writes {@code frame} after the frames handed over before it, then flushes; {@code promise} learns the outcome. */
    void send(ByteBuf frame, ChannelPromise promise) {
        send(frame, (Object) promise);
    }

    /**
     * Writes {@code frame} after the frames handed over before it, then flushes; {@code written}
     * is told of the write the frame went out in (its batch's), and no promise is made for the
     * frame: on the I/O thread, nothing is made for it at all.
     */
    void send(ByteBuf frame, ChannelFutureListener written) {
        send(frame, (Object) written);
    }

    /** {@code waiter}: a {@link ChannelPromise}, perhaps the void one, or a {@link ChannelFutureListener}. */
    private void send(ByteBuf frame, Object waiter) {
        if (loop.inEventLoop()) {
            if (!draining && !queue.isEmpty()) {
                drain(); // the frames handed over before this one go first
            }
            append(frame, waiter);
            // Written when the read ends (readComplete) or by the task, whichever comes first.
            schedule();
            return;
        }
        if (direct != null && waiter instanceof FrameListener listener && listener.writeNow()
                && direct.tryWrite(frame, listener, nothingWaiting)) {
            return; // written by this thread, the I/O thread left asleep
        }
        count(frame.readableBytes());
        Object entry;
        if (waiter instanceof ChannelPromise promise && promise.isVoid()) {
            entry = frame;
        } else if (waiter instanceof FrameListener carrier && carrier.frame() == frame) {
            entry = carrier; // holds its frame: no entry to make
        } else {
            entry = new Promised(frame, waiter);
        }
        queue.offer(entry);
        schedule();
    }

    /**
     * Counts {@code bytes} more waiting, and makes the channel unwritable if that is too much.
     * The flag is cleared by whoever sees the count below the mark after setting it, or by the
     * drain that takes the count below it: the last to act sees the count, so the flag never
     * stays set over an empty queue.
     */
    private void count(int bytes) {
        long waiting = waitingBytes.addAndGet(bytes);
        if (buffer != null && waiting >= highWaterMark() && buffer.getUserDefinedWritability(WRITABILITY_FLAG)) {
            buffer.setUserDefinedWritability(WRITABILITY_FLAG, false);
            if (waitingBytes.get() < highWaterMark()) { // drained meanwhile, maybe before the flag was set
                buffer.setUserDefinedWritability(WRITABILITY_FLAG, true);
            }
        }
    }

    /** The count of {@code bytes} written from the queue, which the outbound buffer now counts. */
    private void uncount(long bytes) {
        if (bytes == 0) {
            return;
        }
        long waiting = waitingBytes.addAndGet(-bytes);
        if (buffer != null && waiting < highWaterMark() && !buffer.getUserDefinedWritability(WRITABILITY_FLAG)) {
            buffer.setUserDefinedWritability(WRITABILITY_FLAG, true);
        }
    }

    private int highWaterMark() {
        return channel.config().getWriteBufferHighWaterMark();
    }

    /** Bytes of the frames handed over from other threads and not yet written. */
    long waitingBytes() {
        return waitingBytes.get();
    }

    /**
     * On the I/O thread: a buffer to make a small frame in that is {@linkplain #send sent} before
     * {@link #giveBack} (it is copied into the batch, never written as it is), so that such a
     * frame costs no allocation: the reply a servant running on the I/O thread returns, say.
     * Netty's pooled allocator samples its buffers for leak tracking, with a stack trace each
     * time, which cost about 8% of a server I/O thread's time in hermod-bench's
     * {@code throughput}. A buffer of the channel's allocator when the lent one is out (a frame
     * made while another is being made). Off the I/O thread (a reply a worker makes), a heap array
     * of {@link CallerBuffers} for a small frame, for the reasons it gives for callers' requests,
     * and a buffer of the channel's allocator for a large one.
     */
    ByteBuf lendFrameBuffer(int sizeHint) {
        if (!loop.inEventLoop()) { // a worker's reply: a heap array, as a caller's request is
            return sizeHint <= CallerBuffers.MAX_HINT ? CallerBuffers.INSTANCE.buffer(sizeHint)
                    : channel.alloc().buffer(sizeHint);
        }
        if (scratchLent || sizeHint > SCRATCH_KEPT) {
            return channel.alloc().buffer(sizeHint);
        }
        ByteBuf s = scratch;
        if (s == null) {
            s = Unpooled.unreleasableBuffer(CallerBuffers.INSTANCE.heapBuffer(SCRATCH_INITIAL, Integer.MAX_VALUE));
            scratch = s;
        }
        s.clear();
        scratchLent = true;
        return s;
    }

    /**
     * A frame to keep in place of {@code frame} beyond its loan: a copy if {@link #lendFrameBuffer}
     * lent it (the lent buffer is left to be {@linkplain #giveBack given back}), else itself.
     */
    ByteBuf keep(ByteBuf frame) {
        if (!loop.inEventLoop() || frame != scratch) {
            return frame; // lent buffers never leave the I/O thread
        }
        int size = frame.readableBytes();
        return channel.alloc().buffer(size).writeBytes(frame, frame.readerIndex(), size);
    }

    /**
     * Ends the loan of {@code frame} if {@link #lendFrameBuffer} lent it: sent or dropped, it is
     * no longer used. A buffer grown past what small frames need is let go. Any other buffer is
     * left as it is. I/O thread only.
     */
    void giveBack(ByteBuf frame) {
        if (frame == scratch && frame != null) {
            scratchLent = false;
            if (frame.capacity() > SCRATCH_KEPT) {
                scratch = null;
            }
        }
    }

    /**
     * Hands over a frame made on the I/O thread when its turn comes, after every frame handed over
     * before this call and before every frame handed over after it. {@code frame} may return null:
     * nothing is written then. It must not block or send.
     */
    void sendLater(Supplier<ByteBuf> frame) {
        queue.offer(frame);
        schedule();
    }

    /**
     * On the I/O thread: writes, without flushing, every frame still waiting. Called before
     * something else is written past the queue (a close, say) that must go after them.
     */
    void writeWaiting() {
        if (!draining && !queue.isEmpty()) {
            drain();
        }
        writeBatch();
    }

    /** On the I/O thread, before the channel closes: writes every frame still waiting, and flushes. */
    void flushWaiting() {
        if (!draining && !queue.isEmpty()) {
            drain();
        }
        if (batch != null || flushPending) {
            flushNow();
        }
    }

    /**
     * On the I/O thread, when the channel's read ends: writes and flushes the frames sent during
     * it, so that the replies to what was read go out in one socket write.
     */
    void readComplete() {
        if (!draining && (batch != null || flushPending)) {
            flushNow();
        }
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drainTask);
            } catch (RejectedExecutionException e) { // the I/O thread has stopped, and the channel with it
                scheduled.set(false);
                failAll(new ClosedChannelException());
                if (loop.inEventLoop()) {
                    flushNow(); // the batch's writes fail on the closed channel
                }
            }
        }
    }

    /** The task: writes every waiting frame, flushes once, and repeats for frames that came meanwhile. */
    private void drainAndFlush() {
        while (true) {
            drain();
            if (batch != null || flushPending) {
                flushNow(); // its listeners may send: those frames are seen below
            }
            scheduled.set(false);
            // A frame handed over after the last poll, by a thread that saw this task scheduled,
            // or sent on this thread by a write's listener: this task writes it, unless another
            // has been scheduled since.
            if (queue.isEmpty() && batch == null && !flushPending || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /** Writes what waits, in order; returns whether it wrote anything. I/O thread only. */
    private boolean drain() {
        draining = true;
        boolean wrote = false;
        long bytes = 0;
        try {
            Object next;
            while ((next = queue.poll()) != null) {
                bytes += queuedBytes(next);
                wrote |= write(next);
            }
        } finally {
            draining = false;
            uncount(bytes);
        }
        return wrote;
    }

    /** What {@link #count} counted for a queue entry. */
    private static int queuedBytes(Object entry) {
        if (entry instanceof ByteBuf frame) {
            return frame.readableBytes();
        }
        if (entry instanceof FrameListener carrier) {
            return carrier.frame().readableBytes();
        }
        return entry instanceof Promised p ? p.frame().readableBytes() : 0;
    }

    @SuppressWarnings("unchecked")
    private boolean write(Object entry) {
        if (entry instanceof ByteBuf frame) {
            append(frame, channel.voidPromise());
            return true;
        }
        if (entry instanceof Promised p) {
            append(p.frame(), p.waiter());
            return true;
        }
        if (entry instanceof FrameListener carrier) {
            append(carrier.frame(), carrier);
            return true;
        }
        ByteBuf made;
        try {
            made = ((Supplier<ByteBuf>) entry).get();
        } catch (RuntimeException e) {
            // A frame that could not be made is not sent; the frames around it still are.
            org.slf4j.LoggerFactory.getLogger(Outbound.class).warn("{}: cannot make a frame; skipped", channel, e);
            return false;
        }
        if (made == null) {
            return false;
        }
        append(made, channel.voidPromise());
        return true;
    }

    /**
     * On the I/O thread: copies a small frame into the batch and releases it, or writes a large
     * one after the batch. Flushes when much has been written unflushed.
     */
    private void append(ByteBuf frame, Object waiter) {
        int size = frame.readableBytes();
        if (size > COPY_LIMIT && frame == scratch) { // lent: the channel gets a copy, the lender its buffer back
            ByteBuf copy = channel.alloc().ioBuffer(size);
            copy.writeBytes(frame, frame.readerIndex(), size);
            frame = copy;
        }
        if (size > COPY_LIMIT) {
            writeBatch();
            ChannelPromise promise = waiter instanceof ChannelPromise p ? p
                    : new BatchPromise(channel, new Object[] {waiter}, 1, null);
            write(frame, size, promise);
        } else {
            if (batch != null && batch.maxWritableBytes() < size) {
                writeBatch();
            }
            if (batch == null) {
                batch = channel.alloc().ioBuffer(Math.min(BATCH_MAX, Math.max(BATCH_MIN, lastBatchBytes * 2)), BATCH_MAX);
            }
            try {
                if (frame.hasArray()) { // a caller's request: Netty would wrap the array in a ByteBuffer to copy it
                    batch.writeBytes(frame.array(), frame.arrayOffset() + frame.readerIndex(), size);
                } else {
                    batch.writeBytes(frame);
                }
            } finally {
                frame.release();
            }
            if (!(waiter instanceof ChannelPromise p && p.isVoid())) {
                if (waiterCount == waiters.length) {
                    waiters = java.util.Arrays.copyOf(waiters, waiterCount * 2);
                }
                waiters[waiterCount++] = waiter;
            }
        }
        if (++unflushedFrames >= FLUSH_FRAMES || unflushed >= FLUSH_BYTES) {
            flushNow();
        }
    }

    /** On the I/O thread: writes the batch, if any, to the channel; its waiters learn how that went. */
    private void writeBatch() {
        ByteBuf b = batch;
        if (b == null) {
            return;
        }
        batch = null;
        int size = b.readableBytes();
        lastBatchBytes = size;
        ChannelPromise promise;
        if (waiterCount == 0) {
            promise = channel.voidPromise();
        } else if (waiterCount == 1 && waiters[0] instanceof ChannelPromise p) {
            promise = p;
        } else {
            // The promise takes the array, and gives it back once it has told them (recycle).
            promise = new BatchPromise(channel, waiters, waiterCount, this);
            Object[] spare = spareWaiters;
            spareWaiters = null;
            waiters = spare != null ? spare : new Object[waiters.length];
            waiterCount = 0;
        }
        if (waiterCount > 0) {
            java.util.Arrays.fill(waiters, 0, waiterCount, null);
            waiterCount = 0;
        }
        write(b, size, promise);
    }

    private void write(ByteBuf frame, int size, ChannelPromise promise) {
        unflushed += size;
        flushPending = true;
        channel.write(frame, promise);
    }

    /**
     * Takes back the array of waiters of a batch whose promise has told them, cleared, to hold a
     * later batch's. On the I/O thread; {@link BatchPromise} only.
     */
    void recycle(Object[] told) {
        if (spareWaiters == null) {
            spareWaiters = told;
        }
    }

    /** On the I/O thread: writes the batch and flushes the channel. */
    private void flushNow() {
        writeBatch();
        unflushed = 0;
        unflushedFrames = 0;
        flushPending = false;
        flush();
    }

    private void flush() {
        ChannelHandlerContext from = flushFrom;
        if (from == null || from.isRemoved()) {
            from = channel.pipeline().context(Link.FLUSHES);
            flushFrom = from;
        }
        if (from != null) {
            from.flush(); // starts at the handler before the consolidation: the batch is the consolidation
        } else {
            channel.flush();
        }
    }

    private void failAll(Throwable cause) {
        Object next;
        long bytes = 0;
        while ((next = queue.poll()) != null) {
            bytes += queuedBytes(next);
            if (next instanceof ByteBuf frame) {
                ReferenceCountUtil.release(frame);
            } else if (next instanceof Promised p) {
                ReferenceCountUtil.release(p.frame());
                if (p.waiter() instanceof ChannelPromise promise) {
                    promise.tryFailure(cause);
                } else {
                    tell((ChannelFutureListener) p.waiter(), channel.newFailedFuture(cause));
                }
            } else if (next instanceof FrameListener carrier) {
                ReferenceCountUtil.release(carrier.frame());
                tell(carrier, channel.newFailedFuture(cause));
            }
        }
        uncount(bytes);
    }
}
