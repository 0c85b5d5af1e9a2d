package dev.hermod.internal.protocol;

import dev.hermod.internal.transport.Traffic;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Lets a thread that is about to wait for the reply to its synchronous call write the call's
 * request to the socket itself, and a server's worker the reply it made, when the connection's
 * I/O thread has nothing to write: one system call, where handing the frame over costs a
 * wake-up of the sleeping I/O thread (an {@code eventfd} write, then a context switch) before
 * that thread makes the same system call.
 * In hermod-bench's {@code latency}, six alternating pairs, the median round trip went from
 * 1.33 to 1.59 times the plain socket's to 1.01 to 1.21 times, and the context switches per call
 * from 3.3 to 3.8 to 2.2 to 2.5 (the socket's: 2).
 *
 * <p>Only frames of a plain TCP connection on Linux's epoll transport are written so
 * ({@link #install}): with TLS the bytes are the encryption's. Only frames whose senders say they
 * may ({@link FrameListener#writeNow}: a synchronous call alone on its connection, the reply to
 * the only request a server's connection has in dispatch), only frames of at most
 * {@link Outbound#COPY_LIMIT} bytes on the heap or {@link #IN_PLACE_LIMIT} in native memory, and
 * only while nothing else waits to be written: neither in {@link Outbound}'s queue nor in the
 * channel's outbound buffer, so that the frame is not written before a frame handed over before
 * it. A heap frame is copied to native memory first: a platform thread's buffer of its own, a
 * pooled buffer for a virtual thread (a server's default executor on JDK 21 and later).
 *
 * <p>The socket is written by one thread at a time. This handler sits first in the pipeline, next
 * to the socket, so the I/O thread's writes, flushes and closes pass it; each waits while a
 * caller's write is under way (one non-blocking system call), and a caller writes only while the
 * I/O thread is not in one of them ({@link #state}). A write that the socket takes only in part
 * (its send buffer nearly full) leaves the rest to the I/O thread, which writes it before anything
 * else. Netty closes a channel without passing the pipeline when its peer closes: a channel with
 * this handler allows half-closure instead, and this handler closes it through the pipeline when
 * the input ends, so that no caller can be writing to a file descriptor that was closed (and
 * perhaps reused by then). A close asked for from another thread keeps callers out at once
 * ({@link #refuseCallers}), before the I/O thread gets to it.
 *
 * <p>Thread-safe.
 */
final class DirectWrites extends ChannelDuplexHandler {
    /** Its name in a pipeline. */
    static final String NAME = "direct-writes";
    /** A caller's thread is writing to the socket. */
    private static final int CALLER = 1;
    /** The I/O thread is writing, flushing or closing through the pipeline. */
    private static final int IO = 2;
    /** The rest of a frame a caller wrote in part waits in {@link #rest}, to be written first. */
    private static final int REST = 4;
    /** The channel closed or is closing: no caller writes any more. */
    private static final int CLOSED = 8;
    /** Spins of the I/O thread, waiting for a caller's write, before it yields its CPU instead. */
    private static final int SPINS = 100;
    /** Frames written by callers' threads on dialled channels (requests), across all of them: for tests and diagnostics. */
    static final LongAdder FRAMES = new LongAdder();
    /** Frames written by workers' threads on accepted channels (replies), across all of them. */
    static final LongAdder ACCEPTED_FRAMES = new LongAdder();
    /** Of those, the frames the socket took only in part. */
    static final LongAdder PARTS = new LongAdder();
    /**
     * The most bytes a caller's write offers the socket: all of them, except in tests, which
     * lower it to have every frame written in part as a full socket buffer would.
     */
    static volatile int offered = Integer.MAX_VALUE;
    /**
     * The largest frame in native memory written from where it is: a reply a worker encoded into
     * a buffer of the channel's allocator, say (a frame on the heap is copied to native memory
     * first, and only up to {@link Outbound#COPY_LIMIT}). As much as a batch of the I/O thread's.
     */
    static final int IN_PLACE_LIMIT = Outbound.BATCH_MAX;
    /** Each platform thread's copy of its frame in native memory, which the system call reads. */
    private static final ThreadLocal<ByteBuffer> NATIVE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Outbound.COPY_LIMIT));

    private final EpollSocketChannel channel;
    /** {@link #FRAMES} or {@link #ACCEPTED_FRAMES}, by the channel's side. */
    private final LongAdder framesWritten;
    /** Null until added to the pipeline. */
    private volatile ChannelHandlerContext ctx;
    /** What counts the channel's bytes, if anything: the bytes callers write count too. */
    private Traffic traffic;
    private final AtomicInteger state = new AtomicInteger();
    /** The rest of a frame written in part, and who learns how its write went; set with {@link #REST}. */
    private ByteBuf rest;
    private ChannelFutureListener restListener;

    private DirectWrites(EpollSocketChannel channel) {
        this.channel = channel;
        this.framesWritten = channel.parent() == null ? FRAMES : ACCEPTED_FRAMES;
    }

    /**
     * Lets callers write to {@code channel} if it is a plain TCP connection on epoll: adds the
     * handler first in its pipeline, which must hold every other handler that writes already.
     *
     * @return the handler, or null if callers cannot write to this channel
     */
    static DirectWrites install(io.netty.channel.Channel channel) {
        if (!(channel instanceof EpollSocketChannel epoll)
                || channel.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null) {
            return null;
        }
        DirectWrites w = new DirectWrites(epoll);
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // closes pass this handler
        channel.pipeline().addFirst(NAME, w);
        return w;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        traffic = ctx.pipeline().get(Traffic.class);
        this.ctx = ctx; // publishes traffic with it
    }

    /**
     * From a caller's thread: writes {@code frame} to the socket now if no other write is under way
     * or waiting, and tells {@code written} of the write (on this thread, unless only part of the
     * frame was taken). Takes the frame if it returns true.
     *
     * @param nothingQueued whether the link's own queue holds no frame: checked again here once no
     *     other thread writes
     * @return false if the frame was not written and is still the caller's to hand over
     */
    boolean tryWrite(ByteBuf frame, ChannelFutureListener written, BooleanSupplier nothingQueued) {
        int length = frame.readableBytes();
        ChannelHandlerContext c = ctx;
        boolean inPlace = frame.hasMemoryAddress(); // in native memory already: written from where it is
        if (length > (inPlace ? IN_PLACE_LIMIT : Outbound.COPY_LIMIT) || c == null
                || c.pipeline().first() != this || state.get() != 0) {
            return false;
        }
        ByteBuf pooled = null;
        if (!inPlace && PlatformDependent.isVirtualThread(Thread.currentThread())) {
            // Virtual threads are many, so none has a native buffer of its own: a pooled one holds
            // the copy, made before the write begins, so that the I/O thread never waits on the
            // allocator for it.
            pooled = channel.alloc().directBuffer(length);
            if (!pooled.hasMemoryAddress()) {
                pooled.release();
                return false;
            }
            pooled.writeBytes(frame, frame.readerIndex(), length);
        }
        try {
            return write(frame, pooled, written, nothingQueued);
        } finally {
            if (pooled != null) {
                pooled.release();
            }
        }
    }

    /**
     * {@link #tryWrite}, once the frame's bytes are in native memory or about to be copied there:
     * in {@code frame} itself if it has an address, in {@code pooled} if not null, else in this
     * thread's {@link #NATIVE} buffer.
     */
    private boolean write(ByteBuf frame, ByteBuf pooled, ChannelFutureListener written, BooleanSupplier nothingQueued) {
        if (!state.compareAndSet(0, CALLER)) {
            return false;
        }
        int length = frame.readableBytes();
        boolean restLeft = false;
        try {
            ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
            if (pending == null || pending.totalPendingWriteBytes() != 0 || !channel.isActive()
                    || channel.eventLoop().isShuttingDown() || !nothingQueued.getAsBoolean()) {
                return false;
            }
            int wrote;
            try {
                int offer = Math.min(length, offered);
                if (pooled != null) {
                    wrote = channel.fd().writeAddress(pooled.memoryAddress() + pooled.readerIndex(), 0, offer);
                } else if (frame.hasMemoryAddress()) {
                    wrote = channel.fd().writeAddress(frame.memoryAddress() + frame.readerIndex(), 0, offer);
                } else {
                    ByteBuffer copy = NATIVE.get();
                    copy.clear();
                    frame.getBytes(frame.readerIndex(), copy.limit(length));
                    wrote = channel.fd().write(copy, 0, offer);
                }
            } catch (IOException e) {
                return false; // the I/O thread meets the failure too, with the frame in its queue
            }
            if (wrote <= 0) {
                return false; // the socket's buffer is full: the I/O thread waits for room
            }
            Traffic t = traffic;
            if (t != null) {
                t.countSent(wrote);
            }
            framesWritten.increment();
            if (wrote == length) {
                frame.release();
                Outbound.tell(written, channel.newSucceededFuture()); // before the I/O thread can close
                return true;
            }
            PARTS.increment();
            rest = frame.skipBytes(wrote);
            restListener = written;
            restLeft = true;
            swap(CALLER, REST); // the I/O thread, kept out meanwhile, writes the rest before anything else
            try {
                channel.eventLoop().execute(this::flushRest);
            } catch (RejectedExecutionException e) { // the I/O thread stopped, and the channel with it
                rest = null;
                restListener = null;
                state.set(CLOSED);
                frame.release();
                Outbound.tell(written, channel.newFailedFuture(new ClosedChannelException())); // never read whole
            }
            return true;
        } finally {
            if (!restLeft) {
                swap(CALLER, 0);
            }
        }
    }

    /**
     * From any thread, as the channel is closed from there: no caller writes from now on, so that
     * nothing a thread makes after the close was asked for reaches the socket before the I/O
     * thread closes it (a reply a servant makes after {@code Server.shutdownNow()}, say). A
     * caller's write under way still completes.
     */
    void refuseCallers() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0 || state.compareAndSet(s, s | CLOSED)) {
                return;
            }
        }
    }

    /** Clears the bit {@code from} and sets {@code to}, keeping the others (another thread may set {@link #CLOSED}). */
    private void swap(int from, int to) {
        while (true) {
            int s = state.get();
            if (state.compareAndSet(s, (s & ~from) | to)) {
                return;
            }
        }
    }

    /** On the I/O thread: writes and flushes the rest of a frame written in part. */
    private void flushRest() {
        enter();
        try {
            ctx.flush();
        } finally {
            leave();
        }
    }

    /**
     * Before the I/O thread writes, flushes or closes: waits for a caller's write under way, keeps
     * callers out until {@link #leave}, and queues the rest of a frame written in part first.
     */
    private void enter() {
        int spins = 0;
        while (true) {
            int s = state.get();
            if ((s & CALLER) != 0) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // the writer may have lost its CPU: one system call is left to it
                }
            } else if (state.compareAndSet(s, s | IO)) {
                break;
            }
        }
        if ((state.get() & REST) != 0) {
            ByteBuf r = rest;
            ChannelFutureListener l = restListener;
            rest = null;
            restListener = null;
            swap(REST, 0);
            ctx.write(r).addListener(l);
        }
    }

    private void leave() {
        while (true) {
            int s = state.get();
            if (state.compareAndSet(s, s & ~IO)) {
                return;
            }
        }
    }

    /** Keeps callers out for good. I/O thread. */
    private void closed() {
        enter();
        while (true) {
            int s = state.get();
            if (state.compareAndSet(s, (s | CLOSED) & ~IO)) {
                return;
            }
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        enter();
        try {
            ctx.write(msg, promise);
        } finally {
            leave();
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        enter();
        try {
            ctx.flush();
        } finally {
            leave();
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        closed();
        ctx.close(promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        closed();
        ctx.disconnect(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        closed();
        ctx.deregister(promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Half-closure is allowed only so that this close passes here: the peer is gone.
            closed();
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed(); // closed by Netty itself (the I/O thread stopping): no caller writes from now on
        ctx.fireChannelInactive();
    }
}
