package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Splits the inbound byte stream into the peer's preamble (checked here) and then frames. Each
 * emitted message is a heap {@link ByteBuf} (so {@code hasArray()} holds) that the receiver
 * releases, holding one frame without its length prefix: type, flags and body. A bad preamble or a
 * frame whose declared length is below the minimum or above the limit raises
 * {@link ProtocolViolation} before any of its body is buffered; everything after that is discarded.
 *
 * <p>Each frame is copied once, from the transport's read buffers into a buffer of its own taken
 * from the channel's allocator, except a REPLY frame of up to {@link #LENT_MAX} bytes that arrives
 * whole: it is copied into a heap buffer this decoder lends, whose release does nothing and which
 * the next such frame reuses once the receiver has returned. The receiver of a reply copies what
 * it keeps (a {@link Link.Listener} does); Netty's pooled allocator would cost an allocation per
 * reply and, for one in 128, a stack trace for leak tracking, at allocation and again at release
 * (9% of a client's I/O thread in hermod-bench's {@code throughput}). A frame that arrives whole
 * otherwise gets a buffer of exactly its length. A
 * frame that spans reads starts with room for what has arrived, at least {@link #SPAN_CHUNK}
 * bytes, and grows as the rest arrives, so a peer that declares a large frame and sends little of
 * it ties up little memory. Only the preamble and length prefixes, when split between reads, are
 * held back in a small array.
 *
 * <p>A peer must not hold such memory for long by sending slowly: once a frame has begun to
 * arrive, it must arrive at an average of at least the minimum read rate, counted from a grace
 * period after its first byte (time during which this side has stopped reading does not count),
 * or {@link TooSlow} is raised and the connection closes. A frame that arrives in one read is
 * never timed.
 */
final class FrameDecoder extends ChannelInboundHandlerAdapter {
    /** Whether Netty copies from direct buffers with {@code sun.misc.Unsafe}, making no object ({@link #append}). */
    private static final boolean COPY_WITH_UNSAFE = io.netty.util.internal.PlatformDependent.hasUnsafe();

    /** How often a frame in progress has its rate checked. */
    static final long RATE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The least room given up front to a frame that spans reads (unless the frame is smaller). */
    static final int SPAN_CHUNK = 128 * 1024;
    /** The longest REPLY frame passed on in the lent buffer; a longer one gets a buffer of its own. */
    static final int LENT_MAX = 8192;

    private final int maxFrameSize;
    private final int minReadRate;
    private final long graceNanos;
    private volatile boolean preambleSeen;
    /** Set after a failure, or once the channel or this handler is gone: input is dropped unread. */
    private boolean discarding;
    /** Bytes of the preamble or of a length prefix that arrived split between reads. */
    private final byte[] held = new byte[Wire.PREAMBLE_LENGTH];
    private int heldLength;
    /** The frame being assembled, or null between frames; its maximum capacity is its length. */
    private ByteBuf frame;
    /** The buffer whole replies are passed on in ({@link #passLent}); null until the first. */
    private ByteBuf lent;
    /** Whether {@link #lent} is being read by the receiver. */
    private boolean lentOut;
    /** Whether bytes were read, and whether a frame was passed on, since the last read completed. */
    private boolean consumedRead;
    private boolean firedFrame;
    /** When the first byte of the frame in progress arrived; 0 between frames. */
    private long frameStarted;
    /** Time since {@link #frameStarted} during which reading was paused by this side, not the peer. */
    private long pausedNanos;
    private long lastCheck;
    private boolean pausedAtLastCheck;
    private ScheduledFuture<?> rateCheck;
    /** Told when each read starts; null for none. */
    private final Link link;
    /**
     * Where frames of up to {@link CallerBuffers.Recycled#KEPT} bytes are made: recycled buffers
     * for a link's decoder; the channel's allocator, as for larger frames, for the decoders tests
     * make without a link (so that they can count the buffers).
     */
    private final io.netty.buffer.ByteBufAllocator smallFrames;

    FrameDecoder(int maxFrameSize) {
        this(maxFrameSize, 0, Duration.ZERO);
    }

    FrameDecoder(int maxFrameSize, int minReadRate, Duration grace) {
        this(maxFrameSize, minReadRate, grace, null);
    }

    /** As the other constructors; {@code link}, if not null, learns when each read starts ({@link Link#readNanos}). */
    FrameDecoder(int maxFrameSize, int minReadRate, Duration grace, Link link) {
        this.maxFrameSize = maxFrameSize;
        this.minReadRate = minReadRate;
        this.graceNanos = grace.toNanos();
        this.link = link;
        this.smallFrames = link == null ? null : CallerBuffers.INSTANCE;
    }

    /** Whether the peer's preamble has arrived and was accepted. */
    boolean preambleSeen() {
        return preambleSeen;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        consumedRead = true;
        if (link != null) {
            link.readStarted(System.nanoTime());
        }
        try {
            if (!discarding) {
                decode(ctx, in);
                timeFrameInProgress(ctx);
            }
        } catch (ProtocolViolation | VersionMismatch e) {
            discard();
            ctx.fireExceptionCaught(e);
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (consumedRead && !firedFrame && !ctx.channel().config().isAutoRead()) {
            ctx.read(); // as ByteToMessageDecoder does: no frame went on that could prompt a read
        }
        consumedRead = false;
        firedFrame = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        discard();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        discard(); // the link closes on any failure; a half-read frame could not be finished
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discard();
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf in) {
        if (!preambleSeen && !readPreamble(ctx, in)) {
            return;
        }
        while (in.isReadable() && !discarding) {
            if (frame == null) {
                if (!startFrame(ctx, in)) {
                    return;
                }
                if (frame == null) {
                    continue; // a whole reply, passed on in the lent buffer
                }
            }
            fillFrame(ctx, in);
        }
    }

    /** Checks the preamble once all of it has arrived; returns whether it has. */
    private boolean readPreamble(ChannelHandlerContext ctx, ByteBuf in) {
        ByteBuf preamble = gather(in, Wire.PREAMBLE_LENGTH);
        if (preamble == null) {
            return false;
        }
        int flags = checkPreamble(preamble);
        preambleSeen = true;
        ctx.fireUserEventTriggered(new PreambleReceived(flags));
        return true;
    }

    /** Checks magic and version; returns the preamble's flags. */
    private int checkPreamble(ByteBuf in) {
        int magic = in.readInt();
        int version = in.readUnsignedShort();
        int flags = in.readUnsignedShort();
        if (magic != Wire.MAGIC) {
            byte[] head = new byte[4];
            in.getBytes(in.readerIndex() - Wire.PREAMBLE_LENGTH, head);
            // 0x16 0x03: a TLS handshake record, a tls:// peer on a connection without TLS
            throw new ProtocolViolation("peer does not speak Hermod: expected magic 'HRMD', got 0x"
                    + ByteBufUtil.hexDump(head) + (head[0] == 0x16 && head[1] == 0x03
                            ? " (a TLS handshake: the peer uses TLS, this side does not)" : ""));
        }
        if (version != Wire.VERSION) {
            throw new VersionMismatch(version);
        }
        return flags;
    }

    /** The peer's preamble has arrived and was accepted; frames, if any, follow this event. */
    record PreambleReceived(int flags) {
        boolean settingsFollow() {
            return (flags & Wire.PREAMBLE_SETTINGS) != 0;
        }
    }

    /**
     * Reads a frame's length prefix once all of it has arrived and makes room for the frame;
     * returns whether it did. The length is checked before anything is allocated.
     */
    private boolean startFrame(ChannelHandlerContext ctx, ByteBuf in) {
        ByteBuf prefix = gather(in, Wire.LENGTH_PREFIX);
        if (prefix == null) {
            return false;
        }
        int length = checkLength(prefix.readUnsignedInt());
        if (length <= LENT_MAX && in.readableBytes() >= length && !lentOut
                && in.getUnsignedByte(in.readerIndex()) == Wire.REPLY) {
            passLent(ctx, in, length);
            return true;
        }
        int initial = Math.min(length, Math.max(in.readableBytes(), SPAN_CHUNK));
        // A small frame (a request, mostly) in a recycled heap buffer of this I/O thread's, given
        // back by whichever thread releases it: the channel's allocator sampled each one for
        // leak tracking, with a stack trace, about 5% of a server I/O thread in hermod-bench's
        // throughput. A large one from the channel's allocator.
        frame = length <= CallerBuffers.Recycled.KEPT && smallFrames != null ? smallFrames.buffer(initial, length)
                : ctx.alloc().heapBuffer(initial, length);
        return true;
    }

    /**
     * Passes on the whole REPLY frame of {@code length} bytes at the start of {@code in} in the
     * buffer this decoder lends, which is free again once the receiver returns.
     */
    private void passLent(ChannelHandlerContext ctx, ByteBuf in, int length) {
        ByteBuf b = lent;
        if (b == null) {
            b = Unpooled.unreleasableBuffer(CallerBuffers.INSTANCE.heapBuffer(LENT_MAX, LENT_MAX));
            lent = b;
        }
        append(b.clear(), in, length);
        frameStarted = 0;
        firedFrame = true;
        lentOut = true;
        try {
            ctx.fireChannelRead(b);
        } finally {
            lentOut = false;
        }
    }

    private int checkLength(long length) {
        if (length < Wire.FRAME_HEADER) {
            throw new ProtocolViolation("frame length " + length + " is below the minimum of " + Wire.FRAME_HEADER);
        }
        if (length > maxFrameSize) {
            throw new ProtocolViolation("frame of " + length + " bytes exceeds the limit of " + maxFrameSize + " bytes");
        }
        return (int) length;
    }

    /** Copies what {@code in} holds of the current frame and passes the frame on once complete. */
    private void fillFrame(ChannelHandlerContext ctx, ByteBuf in) {
        int n = Math.min(frame.maxWritableBytes(), in.readableBytes());
        append(frame, in, n); // grows the buffer if needed, never beyond the frame's length
        if (frame.maxWritableBytes() == 0) {
            ByteBuf complete = frame;
            frame = null;
            frameStarted = 0;
            firedFrame = true;
            ctx.fireChannelRead(complete);
        }
    }

    /**
     * Moves {@code n} bytes from {@code in} to the end of {@code to}. From a direct buffer into a
     * heap one, through the source's internal NIO buffer: Netty's own copy ({@code writeBytes},
     * or {@code readBytes} into an array) duplicates the source's {@code ByteBuffer} for every
     * copy where it does without {@code sun.misc.Unsafe} (JDK 24 and later), about 50 bytes of
     * garbage per frame on each side in hermod-bench's {@code throughput} on JDK 25. Where it has
     * {@code Unsafe}, Netty's copy makes no object, while a read buffer's internal NIO buffer
     * is a slice made once per read buffer: that copy is used then.
     */
    private static void append(ByteBuf to, ByteBuf in, int n) {
        if (COPY_WITH_UNSAFE || !to.hasArray() || in.hasArray() || in.nioBufferCount() != 1) {
            to.writeBytes(in, n);
            return;
        }
        to.ensureWritable(n);
        int at = to.writerIndex();
        in.internalNioBuffer(in.readerIndex(), n).get(to.array(), to.arrayOffset() + at, n);
        in.skipBytes(n);
        to.writerIndex(at + n);
    }

    /**
     * Returns a buffer holding the next {@code n} bytes: {@code in} itself when it has them all and
     * none were held back from earlier reads, else the held-back bytes once {@code n} have arrived.
     * Returns null, having taken all of {@code in}, while fewer have.
     */
    private ByteBuf gather(ByteBuf in, int n) {
        if (heldLength == 0 && in.readableBytes() >= n) {
            return in;
        }
        int take = Math.min(n - heldLength, in.readableBytes());
        in.readBytes(held, heldLength, take);
        heldLength += take;
        if (heldLength < n) {
            return null;
        }
        heldLength = 0;
        return Unpooled.wrappedBuffer(held, 0, n);
    }

    /** Releases the frame being assembled, if any, and drops all further input. */
    private void discard() {
        discarding = true;
        if (rateCheck != null) {
            rateCheck.cancel(false);
            rateCheck = null;
        }
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }

    /** After a read: starts timing a frame left incomplete, unless it is already timed. */
    private void timeFrameInProgress(ChannelHandlerContext ctx) {
        if (minReadRate <= 0 || discarding || !preambleSeen || (frame == null && heldLength == 0)
                || frameStarted != 0) {
            return;
        }
        long now = System.nanoTime();
        frameStarted = now;
        pausedNanos = 0;
        lastCheck = now;
        pausedAtLastCheck = !ctx.channel().config().isAutoRead();
        if (rateCheck == null) {
            rateCheck = ctx.executor().scheduleAtFixedRate(() -> checkRate(ctx), RATE_CHECK_NANOS, RATE_CHECK_NANOS,
                    TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Closes the connection if the frame in progress arrives too slowly; stops checking between
     * frames. A check interval counts as paused when reading was paused at its start or its end,
     * so that a peer is never blamed for a pause of this side's making.
     */
    private void checkRate(ChannelHandlerContext ctx) {
        if (discarding || frameStarted == 0) {
            if (rateCheck != null) {
                rateCheck.cancel(false);
                rateCheck = null;
            }
            return;
        }
        long now = System.nanoTime();
        boolean paused = !ctx.channel().config().isAutoRead();
        if (paused || pausedAtLastCheck) {
            pausedNanos += now - lastCheck;
        }
        pausedAtLastCheck = paused;
        lastCheck = now;
        long active = now - frameStarted - pausedNanos;
        if (active <= graceNanos) {
            return;
        }
        long length = frame == null ? Wire.LENGTH_PREFIX : Wire.LENGTH_PREFIX + (long) frame.maxCapacity();
        long received = frame == null ? heldLength : Wire.LENGTH_PREFIX + (long) frame.writerIndex();
        long due = Math.min(length, (active - graceNanos) / 1_000_000L * minReadRate / 1_000L);
        if (received < due) {
            long seconds = TimeUnit.NANOSECONDS.toSeconds(now - frameStarted);
            TooSlow slow = new TooSlow("the peer sent " + received + " bytes of a " + length + "-byte frame in "
                    + seconds + " s, slower than the minimum of " + minReadRate + " bytes/s");
            discard();
            ctx.fireExceptionCaught(slow);
        }
    }

    /** A peer sends a frame more slowly than the minimum read rate. */
    static final class TooSlow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooSlow(String message) {
            super(message, null, false, false);
        }
    }

    /** The peer speaks Hermod, but another protocol version. */
    static final class VersionMismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int peerVersion;

        VersionMismatch(int peerVersion) {
            super("peer speaks Hermod protocol version " + peerVersion + "; this side speaks version "
                    + Wire.VERSION, null, false, false);
            this.peerVersion = peerVersion;
        }
    }
}
