package dev.hermod.internal.protocol;

import dev.hermod.RpcException;
import dev.hermod.internal.transport.Backlog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

// One file, longer than most: the channel's settings, paused reading, sending (and the frame
// buffer it lends) and closing all act on the one channel and its outbound buffer; split, each
// part would reach into the others. The writing itself is Outbound's.
/**
 * One framed Hermod connection: the handshake is done for it, and what remains is sending whole
 * frames and receiving them through a {@link Listener}. Symmetric: a link does not know whether it
 * was dialled or accepted, except for the log level of protocol errors.
 *
 * <p>Thread-safe: frames may be sent from any thread; the listener is called on the link's I/O
 * thread, one frame at a time.
 */
public final class Link implements Backlog.Outlet {

    /** Receives what arrives on a link. Called on the link's I/O thread; must not block. */
    public interface Listener {
        /**
         * Handles one frame. {@code body} is positioned after the type and flags and is released
         * when this method returns: retain it to keep it, except a REPLY frame's, which may be a
         * buffer the decoder lends and fills with the next reply once this returns: copy what
         * is kept of a reply. Throwing {@link ProtocolViolation} closes the link.
         */
        void onFrame(Link link, int type, int flags, ByteBuf body);

        /** Called once when the link has closed, with the reason calls on it fail. */
        void onClose(Link link, RpcException cause);

        /** The transport can take more bytes again (or can no longer). Called on the I/O thread. */
        default void onWritabilityChanged(Link link, boolean writable) {}
    }

    /**
     * How links are configured.
     *
     * @param maxFrameSize the largest frame sent or received, without the length prefix
     * @param heartbeatInterval how often an idle link sends a PING; zero for never
     * @param acceptedSide whether links are accepted (a server's) rather than dialled
     * @param compression whether this side offers frame compression in the handshake
     * @param minReadRate the average bytes per second at which a frame that has begun to arrive
     *     must keep arriving, once {@code readGrace} has passed; 0 for no minimum
     * @param readGrace how long a frame may take before its rate counts
     * @param log where warnings about peers go, rate-limited, shared by the links of one client
     *     or server
     */
    public record Settings(int maxFrameSize, Duration heartbeatInterval, boolean acceptedSide, boolean compression,
            int minReadRate, Duration readGrace, PeerLog log, Handshake handshake) {

        /** Settings with the default handshake: 10 seconds, no authentication. */
        public Settings(int maxFrameSize, Duration heartbeatInterval, boolean acceptedSide, boolean compression,
                int minReadRate, Duration readGrace, PeerLog log) {
            this(maxFrameSize, heartbeatInterval, acceptedSide, compression, minReadRate, readGrace, log,
                    Handshake.DEFAULT);
        }

        /** A frame must arrive at 32 KiB/s on average by default, ... */
        public static final int DEFAULT_MIN_READ_RATE = 32 * 1024;
        /** ... counted once it has taken 5 seconds. */
        public static final Duration DEFAULT_READ_GRACE = Duration.ofSeconds(5);

        /** Settings with the default minimum read rate and a log of their own. */
        public Settings(int maxFrameSize, Duration heartbeatInterval, boolean acceptedSide, boolean compression) {
            this(maxFrameSize, heartbeatInterval, acceptedSide, compression, DEFAULT_MIN_READ_RATE, DEFAULT_READ_GRACE,
                    new PeerLog(org.slf4j.LoggerFactory.getLogger(Link.class), acceptedSide ? "server" : "client"));
        }
    }

    /**
     * How a link's handshake goes beyond the preamble and SETTINGS.
     *
     * @param timeout how long the peer has to send its preamble and SETTINGS (and, to a server
     *     that authenticates, for the verdict on its AUTH) before the connection is closed
     * @param authenticator a server's, or null: it then does not announce authentication
     * @param authExecutor where a server runs its authenticator (never an I/O thread)
     * @param credentials what a client sends to a server that authenticates; null for none
     */
    public record Handshake(Duration timeout, dev.hermod.security.Authenticator authenticator,
            java.util.concurrent.Executor authExecutor, dev.hermod.security.Credentials credentials) {
        /** 10 seconds, no authentication. */
        public static final Handshake DEFAULT = new Handshake(Duration.ofSeconds(10), null, null, null);
    }

    /** The name of the pipeline's flush consolidation, which {@link Outbound}'s batches flush past. */
    static final String FLUSHES = "flushes";

    /** Who the peer is, once a server's authenticator said so; null until then or if never. */
    private volatile java.security.Principal principal;

    private final Channel channel;
    /** What {@link #send} hands over, written by the I/O thread in batches. */
    private final Outbound outbound;
    private final Settings settings;
    /** When the latest read started: {@link #readNanos}. I/O thread only. */
    private long readNanos;
    /** Whether a frame was sent since the last heartbeat tick. */
    private volatile boolean sentSinceHeartbeat;
    private volatile RpcException closeCause;
    /** The peer's announced maximum frame size, or 0 while unknown (or never announced). */
    private volatile int peerMaxFrameSize;
    /** The compression formats the peer reads, as announced in its SETTINGS. */
    private volatile int peerCompression;
    /** The peer announced the stream frames in its SETTINGS. */
    private volatile boolean peerStreams;
    /** The peer announced in its SETTINGS that it reads segments (section 30). */
    private volatile boolean peerSegments;
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> writableWaiters =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /**
     * Runs, when set, in {@link #whenWritable} once the action is queued, before it looks whether
     * the transport is writable (and so may run every waiter here). Tests set it to have two
     * threads queue their actions before either runs them; null otherwise.
     */
    static volatile java.util.function.Consumer<Link> afterWaiterQueued;

    private Link(Channel channel, Settings settings) {
        this.channel = channel;
        this.settings = settings;
        this.outbound = new Outbound(channel);
    }

    /**
     * Sets up a freshly created channel as a Hermod link. {@code ready} completes with the link
     * once the channel is active and this side's preamble is written; from then on frames may be
     * sent.
     */
    public static void install(Channel channel, Settings settings,
            Function<Link, Listener> listenerFactory, CompletableFuture<Link> ready) {
        Link link = new Link(channel, settings);
        Listener listener = listenerFactory.apply(link);
        long interval = settings.heartbeatInterval().toMillis();
        if (interval > 0) {
            // Before the frame decoder: any bytes count as a sign of life, so a large frame
            // arriving slowly does not look like a dead peer.
            // Only the read side is watched here: the write side is the heartbeat task's
            // (LinkHandler), which costs nothing per write, unlike a write-idle timer.
            channel.pipeline().addLast("idle", new IdleStateHandler(3 * interval, 0, 0, TimeUnit.MILLISECONDS));
        }
        // Frames written past Outbound (the handshake's, PINGs, a GOAWAY) during a read are
        // flushed at its end; Outbound batches and flushes its own frames, past this handler.
        channel.pipeline().addLast(FLUSHES, new io.netty.handler.flush.FlushConsolidationHandler(256, true));
        channel.pipeline().addLast("frames", new FrameDecoder(settings.maxFrameSize(), settings.minReadRate(),
                settings.readGrace(), link));
        channel.pipeline().addLast("link", new LinkHandler(link, listener, ready));
        // A caller waiting for its answer writes its request itself, a worker its reply.
        link.outbound.writeDirectly(DirectWrites.install(channel));
    }

    /** Who the peer is, as this server's authenticator decided; null if unauthenticated. */
    public java.security.Principal principal() {
        return principal;
    }

    void principal(java.security.Principal p) {
        principal = p;
    }

    /** Whether this side is a server that authenticates its peers. */
    public boolean authenticates() {
        return settings.acceptedSide() && settings.handshake().authenticator() != null;
    }

    Handshake handshake() {
        return settings.handshake();
    }

    /** The certificate chain the peer presented over TLS, verified; empty without TLS or one. */
    public java.util.List<java.security.cert.X509Certificate> peerCertificates() {
        io.netty.handler.ssl.SslHandler tls = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls == null) {
            return java.util.List.of();
        }
        try {
            java.util.List<java.security.cert.X509Certificate> out = new java.util.ArrayList<>();
            for (java.security.cert.Certificate c : tls.engine().getSession().getPeerCertificates()) {
                if (c instanceof java.security.cert.X509Certificate x) {
                    out.add(x);
                }
            }
            return java.util.List.copyOf(out);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return java.util.List.of();
        }
    }

    /** Returns the allocator to build frames with. */
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Returns the largest frame this side accepts, without the length prefix. */
    public int maxFrameSize() {
        return settings.maxFrameSize();
    }

    /**
     * Returns the largest frame this side may send: its own limit, or the peer's if the peer
     * announced a smaller one in its SETTINGS.
     */
    public int sendLimit() {
        int peer = peerMaxFrameSize;
        return peer == 0 ? settings.maxFrameSize() : Math.min(peer, settings.maxFrameSize());
    }

    /** Says which limit {@link #sendLimit()} is, for an error message. */
    public String describeSendLimit() {
        int peer = peerMaxFrameSize;
        return peer != 0 && peer < settings.maxFrameSize()
                ? "the peer's maximum frame size of " + peer + " bytes"
                : "the maximum frame size of " + settings.maxFrameSize() + " bytes";
    }

    /** Records the peer's announced limit; on the I/O thread, from its SETTINGS. */
    void peerMaxFrameSize(int bytes) {
        peerMaxFrameSize = bytes;
    }

    /** Records the compression formats the peer reads; on the I/O thread, from its SETTINGS. */
    void peerCompression(int formats) {
        peerCompression = formats;
    }

    void peerStreams(boolean streams) {
        peerStreams = streams;
    }

    void peerSegments(boolean segments) {
        peerSegments = segments;
    }

    /** Whether the peer announced in its SETTINGS that it reads buffers sent as raw segments (section 30). */
    public boolean peerReadsSegments() {
        return peerSegments;
    }

    /** Whether the peer announced in its SETTINGS that it understands the stream frames (section 26). */
    public boolean peerStreams() {
        return peerStreams;
    }

    /**
     * Runs {@code action} once the transport is writable again, or the link closed: at once (in
     * this thread) if it is writable now. Runs on the I/O thread otherwise; must not block.
     */
    public void whenWritable(Runnable action) {
        writableWaiters.add(action);
        java.util.function.Consumer<Link> hook = afterWaiterQueued;
        if (hook != null) {
            hook.accept(this);
        }
        if (channel.isWritable() || !channel.isOpen()) {
            writableAgain();
        }
    }

    /** Runs the actions waiting for the transport to become writable. */
    void writableAgain() {
        Runnable r;
        while ((r = writableWaiters.poll()) != null) {
            r.run();
        }
    }

    /** Whether payloads sent on this link are compressed when nothing else decides. */
    public boolean compressByDefault() {
        return settings.compression();
    }

    /**
     * Compresses the payload of {@code frame} (from {@code payloadStart} to its end) in place if
     * {@code wanted}, the peer reads LZ4, and it pays; returns whether it did.
     */
    public boolean compress(ByteBuf frame, int payloadStart, boolean wanted) {
        return wanted && peerReadsCompressed() && Compression.compressTail(frame, payloadStart);
    }

    /** Whether the peer announced that it reads compressed payloads. */
    public boolean peerReadsCompressed() {
        return (peerCompression & Compression.LZ4) != 0;
    }

    /**
     * Returns the payload of a frame whose flags say it is compressed, decompressed into a buffer
     * the caller releases; {@code body} is consumed.
     *
     * @throws ProtocolViolation if it is not valid LZ4 or inflates beyond this side's frame limit
     */
    public ByteBuf decompress(ByteBuf body) {
        return Compression.decompress(channel.alloc(), body, settings.maxFrameSize());
    }

    /** Returns the peer's address. */
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    /** Returns this side's address; null on a client before it is connected. */
    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    /** Tells whether the link is an in-process one (Netty's local channels), not a socket. */
    public boolean isInProcess() {
        return channel instanceof io.netty.channel.local.LocalChannel;
    }

    /** Returns the I/O thread this link runs on. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * Tells whether the transport takes more bytes without queueing them beyond its high-water
     * mark; when false, senders should hold back until {@link Listener#onWritabilityChanged}.
     */
    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    /**
     * Stops or resumes reading from the peer, for one reason among several: reading resumes only
     * when no reason to pause is left. The peer's writes then back up into its own buffers. Call
     * on the I/O thread; from other threads use {@link #reconsiderPause}, which decides there.
     */
    public void pauseReading(int reason, boolean pause) {
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("pauseReading off the I/O thread; use reconsiderPause");
        }
        if (pause && reason == PAUSE_UNWRITABLE && (pausedFor & PAUSE_UNWRITABLE) == 0) {
            lastHead = null; // a new wait for the peer: judge its output from here on
        }
        pausedFor = pause ? pausedFor | reason : pausedFor & ~reason;
        channel.config().setAutoRead(pausedFor == 0);
    }

    /**
     * Decides again, on the I/O thread, whether reading stays paused for {@code reason}.
     * {@code rule} is told whether it is paused for that reason now and answers whether it should
     * be, from the live state it looks at then: decisions requested by racing threads cannot take
     * effect out of order, and the last one always sees the latest state.
     */
    public void reconsiderPause(int reason, PauseRule rule) {
        try {
            channel.eventLoop().execute(() -> pauseReading(reason, rule.shouldPause((pausedFor & reason) != 0)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the I/O thread has stopped, and the channel with it: nothing left to pause or resume
        }
    }

    /** Decides whether reading should be paused for a reason, given whether it is now. */
    @FunctionalInterface
    public interface PauseRule {
        boolean shouldPause(boolean pausedNow);
    }

    /** Why reading is paused on purpose, as a set of {@code PAUSE_} bits; 0 if it is not. I/O thread only. */
    public int pausedFor() {
        return pausedFor;
    }

    /**
     * Tells whether the peer took any of this side's queued output since the last call: the
     * frame at the head of the outbound queue, or how much of it was written, changed. Frames
     * added behind it, such as heartbeats, do not count. I/O thread only.
     */
    boolean outputMoved() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        Object current = out == null ? null : out.current();
        long progress = out == null ? 0 : out.currentProgress();
        boolean moved = current != lastHead || progress != lastHeadProgress;
        lastHead = current;
        lastHeadProgress = progress;
        return moved;
    }

    /** Reading is paused because too many of the peer's requests are being dispatched. */
    public static final int PAUSE_DISPATCH = 1;
    /** Reading is paused because the peer does not read what this side writes. */
    public static final int PAUSE_UNWRITABLE = 2;
    /** Reading is paused because the peer's requests hold too many bytes on this side. */
    public static final int PAUSE_MEMORY = 4;
    /** Reading is paused while this server's authenticator decides on the peer's AUTH. */
    public static final int PAUSE_AUTH = 8;
    private int pausedFor;
    private Object lastHead;
    private long lastHeadProgress;

    /** Tells whether the link is open. */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Sends a complete frame (with its length prefix); takes ownership of {@code frame}. Frames go
     * out in the order they were handed over, from whichever threads (see {@link Outbound}).
     */
    public void send(ByteBuf frame) {
        markSending();
        outbound.send(frame, channel.voidPromise());
    }

    /**
     * A buffer to make a small frame in on the I/O thread, to {@linkplain #send send} at once and
     * then {@linkplain #giveBack give back}: made once per link and lent again, where a buffer
     * of the link's {@linkplain #alloc allocator} per frame costs an allocation and Netty's leak
     * sampling. While lent, a buffer of the allocator; off the I/O thread, a heap array for a
     * small frame ({@link CallerBuffers}) or a buffer of the allocator. The frame must
     * neither be compressed nor carry segments, and must not be kept: it is copied as it is sent.
     */
    public ByteBuf lendFrameBuffer(int sizeHint) {
        return outbound.lendFrameBuffer(sizeHint);
    }

    /** Ends the loan of a buffer {@link #lendFrameBuffer} gave, sent or dropped; any other is left alone. I/O thread. */
    public void giveBack(ByteBuf frame) {
        outbound.giveBack(frame);
    }

    /** A request held back in the backlog: a copy if it was made in the lent buffer. */
    @Override
    public ByteBuf keep(ByteBuf frame) {
        return outbound.keep(frame);
    }

    /**
     * Sends a frame made on the I/O thread when its turn comes: after every frame handed over
     * before this call, before every frame handed over after it. {@code frame} returns null to
     * send nothing; it must not block, and must not send.
     */
    public void sendLater(java.util.function.Supplier<ByteBuf> frame) {
        markSending();
        outbound.sendLater(frame);
    }

    /** On the I/O thread: writes the frames still waiting to be written, before the link's close is reported. */
    void writeWaiting() {
        outbound.writeWaiting();
    }

    /** On the I/O thread, when a read ends: writes and flushes the frames sent during it. */
    void readComplete() {
        outbound.readComplete();
    }


    /**
     * Sends a complete frame; {@code written} is told how the write it went out in went (the
     * write of its batch, not a future of the frame's own), as that write completes: before the
     * link's close is reported. No promise is made for the frame: on the I/O thread, nothing is
     * made for it at all.
     */
    @Override
    public void sendAndTell(ByteBuf frame, ChannelFutureListener written) {
        markSending();
        outbound.send(frame, written);
    }

    /** The decoder read bytes at {@code nanos}. I/O thread. */
    void readStarted(long nanos) {
        readNanos = nanos;
    }

    /**
     * When the socket read that brought the frames being handled started, in
     * {@link System#nanoTime()} terms: one clock reading for every frame of a read, where a reading
     * per frame cost a few percent of an I/O thread. For the I/O thread while it handles frames;
     * elsewhere, or before any read, the current time.
     */
    public long readNanos() {
        long n = readNanos;
        return n != 0 && channel.eventLoop().inEventLoop() ? n : System.nanoTime();
    }

    private void markSending() {
        if (!sentSinceHeartbeat) { // a read first: the volatile write happens once per interval
            sentSinceHeartbeat = true;
        }
    }

    /**
     * Called on the I/O thread once per heartbeat interval: sends a PING unless a frame was sent
     * since the last call, so that an idle peer keeps hearing from this side.
     */
    void heartbeat() {
        if (sentSinceHeartbeat) {
            sentSinceHeartbeat = false;
        } else if (channel.isActive()) {
            // Written past send(): the PING must not count as traffic, or an idle link would
            // ping only every other interval.
            channel.writeAndFlush(Frames.pingPong(alloc(), Wire.PING, System.nanoTime()), channel.voidPromise());
        }
    }

    /** The heartbeat interval; zero when heartbeats are off. */
    Duration heartbeatInterval() {
        return settings.heartbeatInterval();
    }

    /** A write that failed with {@code cause}, for frames dropped before reaching the transport. */
    @Override
    public io.netty.channel.ChannelFuture failedWrite(Throwable cause) {
        return channel.newFailedFuture(cause);
    }

    /** Sends a GOAWAY frame: this side will accept no new requests on this link. */
    public void goAway(dev.hermod.Status status, String message, long taken) {
        send(Frames.goAway(alloc(), status, message, taken));
    }

    /**
     * Closes the link once every frame handed to it before has been written: a graceful close,
     * for a connection with nothing left in flight. Calls still pending fail with {@code cause}.
     */
    public void closeAfterWrites(RpcException cause) {
        recordCause(cause);
        try {
            // A task, so that it runs after the writes other threads handed over before it.
            channel.eventLoop().execute(() -> {
                outbound.writeWaiting();
                channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            channel.close();
        }
    }

    /**
     * Closes the link. Calls still pending on it fail with {@code cause}, unless another cause
     * was recorded first.
     */
    public void close(RpcException cause) {
        recordCause(cause);
        // Before the close is handed to the I/O thread: a frame made from now on (a reply made
        // after Server.shutdownNow(), say) must not reach the socket ahead of the close.
        outbound.refuseDirectWrites();
        if (channel.eventLoop().inEventLoop()) {
            flushThenClose();
            return;
        }
        try {
            channel.eventLoop().execute(this::flushThenClose);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            channel.close(); // the I/O thread has stopped, and the channel with it
        }
    }

    /**
     * On the dialling side, writes and flushes the frames already handed over, then closes: a
     * oneway call is complete once its frame is handed over, so closing must not drop the frame
     * unwritten (a client that sends events and closes at once, say). What the socket does not
     * take at once is dropped with the close, which never waits for the peer. An accepting side
     * (a server shutting down now) just closes: what it has handed over is replies, which a
     * client does not count on until they arrive, and a reply made as the server stops (a
     * servant interrupted by its shutdown) would only mislead. I/O thread.
     */
    private void flushThenClose() {
        if (!acceptedSide() && channel.isActive()) {
            outbound.flushWaiting();
        }
        channel.close();
    }

    /**
     * Closes the link for a protocol error found after its frame was read (a compressed payload
     * that does not decompress, say): logs it as the I/O thread would, sends GOAWAY with status
     * PROTOCOL_ERROR, and closes. Any thread.
     */
    public void protocolError(ProtocolViolation violation) {
        String message = "protocol error on connection with " + remoteAddress() + ": " + violation.getMessage();
        if (acceptedSide()) {
            peerLog().warn("protocol error", "closing connection from {}: {}", String.valueOf(remoteAddress()),
                    violation.getMessage());
        }
        closeAfterGoAway(dev.hermod.internal.bridge.Failures.protocol(message, null, false));
    }

    /** Closes the link after sending a GOAWAY frame that explains why. */
    void closeAfterGoAway(RpcException cause) {
        recordCause(cause);
        if (channel.isActive()) {
            if (channel.eventLoop().inEventLoop()) {
                outbound.writeWaiting(); // the replies sent before the error go before the GOAWAY
            }
            channel.writeAndFlush(Frames.goAway(alloc(), cause.status(), cause.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** Records why the link is closing, unless a reason was recorded before. */
    public void recordCause(RpcException cause) {
        synchronized (this) {
            if (closeCause == null) {
                closeCause = cause;
            }
        }
    }

    /** Tells whether the link is closing or closed: frames still arriving are dropped. */
    public boolean isClosing() {
        return closeCause != null || !channel.isOpen();
    }

    /** Why the link closed or is closing, or null while it is open. */
    public RpcException closeCause() {
        return closeCause;
    }

    boolean acceptedSide() {
        return settings.acceptedSide();
    }

    /** Where warnings about this link's peer go: escaped and rate-limited, shared by the client's or server's links. */
    public PeerLog peerLog() {
        return settings.log();
    }

    @Override
    public String toString() {
        return "Link[" + channel.localAddress() + " -> " + channel.remoteAddress() + "]";
    }
}
