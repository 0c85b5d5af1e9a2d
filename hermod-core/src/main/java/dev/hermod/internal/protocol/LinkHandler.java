package dev.hermod.internal.protocol;

import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last handler of a link's pipeline: handshake, heartbeats, frame delivery, and close causes. */
final class LinkHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Link.class);

    private final Link link;
    private final Link.Listener listener;
    private final CompletableFuture<Link> ready;
    private final Authentication auth;
    /** The peer's preamble said a SETTINGS frame follows, and it has not arrived yet. */
    private boolean awaitingSettings;
    /** The peer's SETTINGS arrived (at most one is allowed). */
    private boolean settingsReceived;
    /** The peer's preamble, and its SETTINGS if it announced them, have arrived. */
    private volatile boolean handshakeDone;
    /** Sends PINGs while the link is open; null when heartbeats are off. */
    private io.netty.util.concurrent.ScheduledFuture<?> heartbeats;
    /** Closes the link if the peer's preamble does not come in time; canceled when the link closes. */
    private io.netty.util.concurrent.ScheduledFuture<?> handshakeTimer;

    LinkHandler(Link link, Link.Listener listener, CompletableFuture<Link> ready) {
        this.link = link;
        this.listener = listener;
        this.ready = ready;
        this.auth = new Authentication(link);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ByteBuf preamble = ctx.alloc().buffer(Wire.PREAMBLE_LENGTH);
        Wire.writePreamble(preamble);
        ctx.write(preamble, ctx.voidPromise());
        // This side's limit, so that the peer fails a call too large for it alone (section 3.1).
        ctx.writeAndFlush(Frames.settings(ctx.alloc(), link.maxFrameSize(), link.authenticates()), ctx.voidPromise());
        // The dialling side's link is ready once it knows the peer's settings: nothing it sends
        // can then exceed the peer's limit. An accepting side hears the peer first anyway.
        java.time.Duration timeout = link.handshake().timeout();
        handshakeTimer = ctx.executor().schedule(() -> {
            if (!handshakeDone && ctx.channel().isOpen()) {
                log.debug("{}: handshake not done within {}; closing", link, timeout);
                if (link.acceptedSide()) {
                    link.peerLog().warn("handshake timeout", "closing connection from {}: no handshake within {} ms",
                            String.valueOf(link.remoteAddress()), timeout.toMillis());
                }
                link.close(Failures.protocol("the peer at " + link.remoteAddress() + " did not complete the Hermod"
                        + " handshake within " + timeout.toMillis() + " ms"
                        + (auth.awaitingVerdict() ? " (no answer to its credentials)" : ""), null, true));
            }
        }, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        long interval = link.heartbeatInterval().toMillis();
        if (interval > 0) {
            heartbeats = ctx.executor().scheduleAtFixedRate(link::heartbeat, interval, interval,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        if (link.isClosing()) {
            frame.release(); // after a protocol error, nothing more from this peer is acted on
            return;
        }
        try {
            int type = frame.readUnsignedByte();
            int flags = frame.readUnsignedByte();
            if (awaitingSettings && type != Wire.SETTINGS) {
                throw new ProtocolViolation("the peer's preamble announced SETTINGS, but its first frame is "
                        + Wire.typeName(type));
            }
            if (auth.awaitingVerdict() && type == Wire.GOAWAY) {
                link.recordCause(auth.refused(Frames.readGoAway(frame)));
                ctx.close();
                return;
            }
            switch (type) {
                case Wire.PING:
                    Wire.need(frame, 8, "PING payload");
                    link.send(Frames.pingPong(ctx.alloc(), Wire.PONG, frame.readLong()));
                    break;
                case Wire.PONG:
                    break; // its arrival already reset the read-idle timer
                case Wire.SETTINGS:
                    settings(ctx, frame);
                    break;
                case Wire.AUTH:
                    auth.onAuth(ctx, frame);
                    break;
                case Wire.AUTH_OK:
                    auth.onAuthOk(frame);
                    handshakeDone();
                    break;
                case Wire.REQUEST:
                case Wire.REPLY:
                case Wire.CANCEL:
                case Wire.PROGRESS:
                case Wire.BATCH:
                case Wire.GOAWAY:
                case Wire.ITEM:
                case Wire.CREDIT:
                case Wire.STREAM_END:
                    listener.onFrame(link, type, flags, frame);
                    break;
                default:
                    // Additions to version 1 are frame types an older peer may skip.
                    log.debug("{}: ignoring frame of unknown type {}", link, Wire.typeName(type));
                    break;
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (writable) {
            link.writableAgain();
        }
        if (link.acceptedSide()) {
            // A peer that does not read its replies gets no more of its requests read.
            link.pauseReading(Link.PAUSE_UNWRITABLE, !writable);
        }
        listener.onWritabilityChanged(link, writable);
        ctx.fireChannelWritabilityChanged();
    }

    /** Reads the peer's SETTINGS: entries of a u16 id and a u32 value; unknown ids are ignored. */
    private void settings(ChannelHandlerContext ctx, ByteBuf frame) {
        if (settingsReceived) {
            throw new ProtocolViolation("a second SETTINGS frame");
        }
        settingsReceived = true;
        boolean peerAuthenticates = false;
        while (frame.isReadable()) {
            Wire.need(frame, 6, "SETTINGS entry");
            int id = frame.readUnsignedShort();
            long value = frame.readUnsignedInt();
            if (id == Wire.SETTING_MAX_FRAME_SIZE) {
                if (value < Wire.MIN_MAX_FRAME_SIZE) {
                    throw new ProtocolViolation("SETTINGS announce a maximum frame size of " + value
                            + " bytes, below the minimum of " + Wire.MIN_MAX_FRAME_SIZE);
                }
                link.peerMaxFrameSize((int) Math.min(value, Integer.MAX_VALUE));
            } else if (id == Wire.SETTING_COMPRESSION) {
                link.peerCompression((int) value);
            } else if (id == Wire.SETTING_AUTHENTICATION) {
                peerAuthenticates = value == 1;
            } else if (id == Wire.SETTING_STREAMS) {
                link.peerStreams(value == Wire.STREAMS_V1);
            } else if (id == Wire.SETTING_SEGMENTS) {
                link.peerSegments(value == Wire.SEGMENTS_V1);
            }
        }
        awaitingSettings = false;
        if (peerAuthenticates && !link.acceptedSide()) {
            auth.sendCredentials(ctx); // done once the server answers (section 3.3)
        } else {
            handshakeDone();
        }
    }

    private void handshakeDone() {
        handshakeDone = true;
        if (ready != null) {
            ready.complete(link);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof FrameDecoder.PreambleReceived preamble) {
            if (preamble.settingsFollow()) {
                awaitingSettings = true;
            } else {
                handshakeDone(); // a peer of an earlier revision: its limit stays unknown
            }
            return;
        }
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent tls) {
            if (!tls.isSuccess()) {
                TlsFailures.failed(link, tls.cause());
            }
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                int paused = link.pausedFor();
                if (paused != 0 && ((paused & Link.PAUSE_UNWRITABLE) == 0 || link.outputMoved())) {
                    // This side stopped reading on purpose: silence proves nothing while the peer
                    // waits for this side's dispatch, or still takes this side's output.
                    log.debug("{}: nothing read within three heartbeat intervals, reading paused ({})", link, paused);
                    return;
                }
                log.debug("{}: no data from peer within three heartbeat intervals; closing", link);
                link.close(Failures.connection("connection to " + link.remoteAddress()
                        + " presumed dead: nothing received within three heartbeat intervals", null, false));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof FrameDecoder.TooSlow) {
            String message = "connection to " + link.remoteAddress() + " closed: " + c.getMessage();
            if (link.acceptedSide()) {
                link.peerLog().warn("slow peer", "closing connection from {}: {}", String.valueOf(link.remoteAddress()),
                        c.getMessage());
            } else {
                log.debug("{}", message);
            }
            link.close(Failures.connection(message, null, false));
        } else if (c instanceof ProtocolViolation || c instanceof FrameDecoder.VersionMismatch) {
            String message = "protocol error on connection with " + link.remoteAddress() + ": " + c.getMessage();
            if (link.acceptedSide()) {
                link.peerLog().warn("protocol error", "closing connection from {}: {}",
                        String.valueOf(link.remoteAddress()), c.getMessage());
            } else {
                log.debug("closing connection: {}", PeerLog.escape(message));
            }
            link.closeAfterGoAway(Failures.protocol(message, null, false));
        } else if (c instanceof javax.net.ssl.SSLException) {
            TlsFailures.failed(link, c); // after the handshake (a TLS 1.3 server's verdict on the client's certificate)
            link.close(link.closeCause());
        } else if (c instanceof IOException) {
            log.debug("{}: I/O error: {}", link, c.toString());
            link.close(Failures.connection("connection to " + link.remoteAddress() + " lost"
                    + duringHandshake() + ": " + c.getMessage(), c, !handshakeDone && !link.acceptedSide()));
        } else {
            log.error("{}: unexpected failure; closing the connection", link, c);
            link.close(Failures.connection("connection to " + link.remoteAddress()
                    + " closed after an internal error: " + c, c, false));
        }
    }

    /** On a dialling side whose handshake is not done, what the server's close may mean. */
    private String duringHandshake() {
        return handshakeDone || link.acceptedSide() ? ""
                : " by the server during the handshake (does it require TLS, a tls:// target? is it at its"
                + " connection limit?)";
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        link.readComplete(); // the replies to what was read go out together
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false); // it holds the whole channel until it fires
        }
        link.writeWaiting(); // frames handed over but not written yet: their writes fail before the close is reported
        link.writableAgain(); // waiters learn of the close by finding the link closed
        RpcException cause = link.closeCause();
        if (cause == null) {
            cause = Failures.connection("connection to " + link.remoteAddress() + " closed" + duringHandshake(),
                    null, !handshakeDone);
            link.recordCause(cause);
            cause = link.closeCause();
        }
        if (ready != null && !ready.isDone()) {
            ready.completeExceptionally(cause);
        }
        listener.onClose(link, cause);
        ctx.fireChannelInactive();
    }
}
