package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

/** The bytes of a Hermod stream for the decoder's tests: the preamble, frames byte by byte, filler. */
final class WireBytes {
    private WireBytes() {}

    static byte[] preamble() {
        ByteBuf buf = Unpooled.buffer();
        Wire.writePreamble(buf);
        return ByteBufUtil.getBytes(buf);
    }

    static byte[] prefix(long length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    static byte[] frame(int type, int flags, byte[] body) {
        return concat(prefix(Wire.FRAME_HEADER + body.length), new byte[] {(byte) type, (byte) flags}, body);
    }

    static byte[] withoutPrefix(byte[] frame) {
        return Arrays.copyOfRange(frame, Wire.LENGTH_PREFIX, frame.length);
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
