package dev.hermod.internal.codec;

import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.transport.VirtualThreads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes values into a frame being written. The default coder writes through a stream each
 * platform thread keeps and reuses, where a {@link ByteBufOutputStream} per message was an object
 * per request and per reply; a coder of the application's gets a stream of its own, which it may
 * keep. A thread that encodes while it encodes (a serializer that makes a call) gets a new stream
 * for the inner message.
 *
 * <p>Thread-safe: each thread has its own.
 */
public final class FrameOutput extends OutputStream {
    private static final ThreadLocal<FrameOutput> HELD = new ThreadLocal<>();

    /** Where bytes go; null while the stream is not lent. */
    private ByteBuf frame;

    private FrameOutput() {}

    /** Appends {@code values}, encoded by {@code coder}, to {@code frame}. */
    public static void encode(ValueCoder coder, Object[] values, ByteBuf frame) throws IOException {
        if (!(coder instanceof LeanCoder)) {
            coder.encode(values, new ByteBufOutputStream(frame));
            return;
        }
        FrameOutput out = lend(frame);
        try {
            coder.encode(values, out);
        } finally {
            out.frame = null;
        }
    }

    /** Appends the one value of a result or exception, encoded by {@code coder}, to {@code frame}. */
    public static void encodeOne(ValueCoder coder, Object value, ByteBuf frame) throws IOException {
        if (!(coder instanceof LeanCoder lean)) {
            coder.encode(new Object[] {value}, new ByteBufOutputStream(frame));
            return;
        }
        FrameOutput out = lend(frame);
        try {
            lean.encodeOne(value, out);
        } finally {
            out.frame = null;
        }
    }

    /**
     * A guess at the encoded size of one value, to size the frame it goes into: about right for
     * byte arrays, byte buffers and ASCII strings, what a small value takes for anything else.
     */
    public static int sizeHint(Object value) {
        long n;
        if (value instanceof byte[] b) {
            n = b.length + 5L; // a byte string's header takes at most 5 bytes below 4 GiB
        } else if (value instanceof java.nio.ByteBuffer b) {
            n = b.remaining() + 5L;
        } else if (value instanceof String s) {
            n = s.length() + 9L;
        } else {
            n = 16;
        }
        return (int) Math.min(n, 16 * 1024 * 1024);
    }

    private static FrameOutput lend(ByteBuf frame) {
        FrameOutput out = null;
        if (!VirtualThreads.current()) {
            out = HELD.get();
            if (out == null) {
                out = new FrameOutput();
                HELD.set(out);
            } else if (out.frame != null) {
                out = null; // lent to an outer message on this thread
            }
        }
        if (out == null) {
            out = new FrameOutput();
        }
        out.frame = frame;
        return out;
    }

    @Override
    public void write(int b) {
        frame.writeByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        frame.writeBytes(b, off, len);
    }
}
