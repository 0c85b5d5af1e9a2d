package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the inbound byte stream into the peer's preamble (checked here) and then frames. Each
 * emitted message is a retained {@link ByteBuf} holding one frame without its length prefix:
 * type, flags and body. A bad preamble or a frame whose declared length is below the minimum or
 * above the limit raises {@link ProtocolViolation} before any of its body is buffered.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameSize;
    private volatile boolean preambleSeen;
    private boolean failed;

    FrameDecoder(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /** Whether the peer's preamble has arrived and was accepted. */
    boolean preambleSeen() {
        return preambleSeen;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (!preambleSeen) {
            if (in.readableBytes() < Wire.PREAMBLE_LENGTH) {
                return;
            }
            checkPreamble(in);
            preambleSeen = true;
        }
        while (in.readableBytes() >= Wire.LENGTH_PREFIX) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length < Wire.FRAME_HEADER || length > maxFrameSize) {
                failed = true;
                throw new ProtocolViolation(length < Wire.FRAME_HEADER
                        ? "frame length " + length + " is below the minimum of " + Wire.FRAME_HEADER
                        : "frame of " + length + " bytes exceeds the limit of " + maxFrameSize + " bytes");
            }
            if (in.readableBytes() < Wire.LENGTH_PREFIX + length) {
                return;
            }
            in.skipBytes(Wire.LENGTH_PREFIX);
            out.add(in.readRetainedSlice((int) length));
        }
    }

    private void checkPreamble(ByteBuf in) {
        int magic = in.readInt();
        int version = in.readUnsignedShort();
        in.skipBytes(2);
        if (magic != Wire.MAGIC) {
            failed = true;
            byte[] head = new byte[4];
            in.getBytes(in.readerIndex() - Wire.PREAMBLE_LENGTH, head);
            throw new ProtocolViolation("peer does not speak Hermod: expected magic 'HRMD', got 0x"
                    + ByteBufUtil.hexDump(head));
        }
        if (version != Wire.VERSION) {
            failed = true;
            throw new VersionMismatch(version);
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
