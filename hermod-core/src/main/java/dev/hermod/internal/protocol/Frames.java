package dev.hermod.internal.protocol;

import dev.hermod.RemoteTraceback;
import dev.hermod.Status;
import dev.hermod.internal.bridge.Failures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

// One file, a little longer than most: the encoder and the decoder of every frame of protocol
// version 1 side by side, so that each pair can be read against the other and against its section
// of PROTOCOL.md; the stream frames, a family of their own, are in StreamFrames.

/**
 * Encoders and decoders for the frames of protocol version 1. Encoders return a complete frame,
 * length prefix included; decoders read a frame body (positioned after type and flags) and raise
 * {@link ProtocolViolation} on anything malformed.
 */
public final class Frames {
    private Frames() {}

    /** Deepest remote cause chain accepted when reading a traceback. */
    static final int MAX_TRACE_DEPTH = 32;
    /** Causes and frames per cause sent in a traceback; more are dropped. */
    static final int SEND_TRACE_DEPTH = 16;
    static final int SEND_TRACE_FRAMES = 256;

    /** Starts a frame: reserves the length prefix and writes type and flags. */
    public static ByteBuf begin(ByteBufAllocator alloc, int sizeHint, int type, int flags) {
        return begin(alloc.buffer(Math.max(64, sizeHint)), type, flags);
    }

    /** As {@link #begin(ByteBufAllocator, int, int, int)}, in {@code buf}, which is empty. */
    private static ByteBuf begin(ByteBuf buf, int type, int flags) {
        return buf.writeInt(0).writeByte(type).writeByte(flags);
    }

    /** Completes a frame started with {@link #begin}: fills in the length prefix. */
    public static ByteBuf end(ByteBuf frame) {
        frame.setInt(0, frame.readableBytes() - Wire.LENGTH_PREFIX);
        return frame;
    }

    /**
     * Returns the frame's body as a buffer a codec can parse in place: the frame's own memory when
     * it is on the heap, or one heap copy of it (a codec reading a direct buffer through a stream
     * copies it in small pieces, which costs more than one copy for large payloads).
     */
    public static java.nio.ByteBuffer payload(ByteBuf body) {
        return body.hasArray() ? body.nioBuffer() : java.nio.ByteBuffer.wrap(io.netty.buffer.ByteBufUtil.getBytes(body));
    }

    /** Returns a frame's length as the peer will see it (without the prefix). */
    public static int frameLength(ByteBuf frame) {
        return frame.readableBytes() - Wire.LENGTH_PREFIX;
    }

    // ---- REQUEST ----

    /** Starts a REQUEST frame; the caller appends the encoded arguments and calls {@link #end}. */
    public static ByteBuf beginRequest(ByteBufAllocator alloc, int sizeHint, int flags, int requestId,
            long timeoutMillis, String service, String operation, Map<String, String> context) {
        return beginRequest(alloc.buffer(Math.max(64, sizeHint)), flags, requestId, timeoutMillis, service, operation,
                context);
    }

    /** As {@link #beginRequest(ByteBufAllocator, int, int, int, long, String, String, Map)}, in {@code buf}, which is empty. */
    public static ByteBuf beginRequest(ByteBuf buf, int flags, int requestId, long timeoutMillis, String service,
            String operation, Map<String, String> context) {
        begin(buf, Wire.REQUEST, flags);
        writeRequestHeader(buf, requestId, timeoutMillis, service, operation, context);
        return buf;
    }

    /** The length of a REQUEST frame up to its arguments: prefix, type, flags and header. */
    public static int requestHeaderLength(String service, String operation, Map<String, String> context) {
        int n = Wire.LENGTH_PREFIX + 2 + 8 + 2 + Wire.utf8Length(service) + 2 + Wire.utf8Length(operation) + 2;
        if (context.isEmpty()) {
            return n; // most calls: no iterator made for an empty map
        }
        for (Map.Entry<String, String> e : context.entrySet()) {
            n += 4 + Wire.utf8Length(e.getKey()) + Wire.utf8Length(e.getValue());
        }
        return n;
    }

    /** Writes the header of a REQUEST body: what precedes the encoded arguments. */
    public static void writeRequestHeader(ByteBuf buf, int requestId, long timeoutMillis, String service,
            String operation, Map<String, String> context) {
        buf.writeInt(requestId);
        buf.writeInt((int) Math.min(0xFFFF_FFFFL, Math.max(0, timeoutMillis)));
        Wire.writeStr16(buf, service);
        Wire.writeStr16(buf, operation);
        if (context.size() > 0xFFFF) {
            throw new IllegalArgumentException("too many context entries: " + context.size());
        }
        buf.writeShort(context.size());
        if (context.isEmpty()) {
            return; // most calls: no iterator made for an empty map
        }
        for (Map.Entry<String, String> e : context.entrySet()) {
            Wire.writeStr16(buf, e.getKey());
            Wire.writeStr16(buf, e.getValue());
        }
    }

    /**
     * Checks that a REQUEST body holds a whole header (id, timeout, service, operation and
     * context) without reading its strings; {@code body}'s reader index is left unchanged.
     *
     * @throws ProtocolViolation if the header is truncated
     */
    public static void checkRequestHeader(ByteBuf body) {
        if (body.hasArray()) { // a frame read from a socket
            int at = body.arrayOffset() + body.readerIndex();
            checkRequestHeader(body.array(), at, at + body.readableBytes());
        } else {
            byte[] copy = ByteBufUtil.getBytes(body);
            checkRequestHeader(copy, 0, copy.length);
        }
    }

    /**
     * As {@link #checkRequestHeader(ByteBuf)}, for the REQUEST body from {@code at} to {@code end}
     * of {@code a}: plain indexes, no calls on a buffer (see {@link BatchFrames#checkBatch}).
     */
    static void checkRequestHeader(byte[] a, int at, int end) {
        at = need(at, end, 8, "request id and timeout") + 8;
        at = skipStr16(a, at, end);
        at = skipStr16(a, at, end);
        need(at, end, 2, "context size");
        int n = ushort(a, at);
        at += 2;
        for (int i = 0; i < 2 * n; i++) {
            at = skipStr16(a, at, end);
        }
    }

    /** Checks that {@code n} bytes are left at {@code at}; returns {@code at}. */
    static int need(int at, int end, int n, String what) {
        if (end - at < n) {
            throw new ProtocolViolation("truncated frame: " + what + " needs " + n + " bytes, " + (end - at)
                    + " left");
        }
        return at;
    }

    private static int skipStr16(byte[] a, int at, int end) {
        need(at, end, 2, "string length");
        int len = ushort(a, at);
        need(at + 2, end, len, "string");
        return at + 2 + len;
    }

    /** The unsigned 16-bit big-endian number at {@code at} of {@code a}. */
    static int ushort(byte[] a, int at) {
        return (a[at] & 0xFF) << 8 | a[at + 1] & 0xFF;
    }

    /** The header of a REQUEST frame; the body's reader index is left at the payload. */
    public record RequestHeader(int requestId, long timeoutMillis, String service, String operation,
            Map<String, String> context, boolean compressReply, boolean stream, boolean byReference,
            boolean segmented) {

        /** The same header, for a request whose sender wants its result compressed. */
        public RequestHeader withCompressedReply() {
            return new RequestHeader(requestId, timeoutMillis, service, operation, context, true, stream,
                    byReference, segmented);
        }

        /** The same header, addressed to {@code target} instead (a pipelined request, section 28). */
        public RequestHeader withService(String target) {
            return new RequestHeader(requestId, timeoutMillis, target, operation, context, compressReply, stream,
                    byReference, segmented);
        }

        /** The same header, for a request with the STREAM flag (section 26). */
        public RequestHeader withStream() {
            return new RequestHeader(requestId, timeoutMillis, service, operation, context, compressReply, true,
                    byReference, segmented);
        }

        /** The same header, for a request whose arguments are handed over by reference (in process). */
        public RequestHeader withByReference() {
            return new RequestHeader(requestId, timeoutMillis, service, operation, context, compressReply, stream,
                    true, segmented);
        }

        /** The same header, for a request whose buffers follow its arguments as segments (section 30). */
        public RequestHeader withSegments() {
            return new RequestHeader(requestId, timeoutMillis, service, operation, context, compressReply, stream,
                    byReference, true);
        }
    }

    /** Reads a REQUEST header, leaving {@code body} positioned at the encoded arguments. */
    public static RequestHeader readRequest(ByteBuf body) {
        return readRequest(body, null);
    }

    /**
     * Reads a REQUEST header, leaving {@code body} positioned at the encoded arguments; the
     * service and operation names through the connection's {@code names}, if not null.
     */
    public static RequestHeader readRequest(ByteBuf body, Names names) {
        Wire.need(body, 8, "request id and timeout");
        int id = body.readInt();
        long timeout = body.readUnsignedInt();
        String service = names != null ? names.read(body) : Wire.readStr16(body);
        String operation = names != null ? names.read(body) : Wire.readStr16(body);
        Wire.need(body, 2, "context size");
        int n = body.readUnsignedShort();
        Map<String, String> context;
        if (n == 0) {
            context = Map.of();
        } else {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                m.put(Wire.readStr16(body), Wire.readStr16(body));
            }
            context = Collections.unmodifiableMap(m);
        }
        return new RequestHeader(id, timeout, service, operation, context, false, false, false, false);
    }

    // ---- REPLY ----

    /** Starts a REPLY frame with a result; the caller appends the encoded result and calls {@link #end}. */
    public static ByteBuf beginResult(ByteBufAllocator alloc, int requestId, int sizeHint) {
        return beginResult(alloc.buffer(Math.max(64, sizeHint + 16)), requestId);
    }

    /** As {@link #beginResult(ByteBufAllocator, int, int)}, in {@code buf}, which is empty. */
    public static ByteBuf beginResult(ByteBuf buf, int requestId) {
        return begin(buf, Wire.REPLY, 0).writeInt(requestId).writeByte(Wire.OUTCOME_RESULT);
    }

    /** Starts a REPLY frame with a declared exception; the caller appends its encoding. */
    public static ByteBuf beginException(ByteBufAllocator alloc, int requestId, String exceptionType) {
        ByteBuf buf = begin(alloc, 128, Wire.REPLY, 0);
        buf.writeInt(requestId).writeByte(Wire.OUTCOME_EXCEPTION);
        Wire.writeStr16(buf, exceptionType);
        return buf;
    }

    /** Builds a complete REPLY frame reporting a failure. */
    public static ByteBuf failure(ByteBufAllocator alloc, int requestId, Status status, boolean unprocessed,
            String message, Throwable trace, boolean withFrames) {
        ByteBuf buf = begin(alloc, 256, Wire.REPLY, 0);
        buf.writeInt(requestId).writeByte(Wire.OUTCOME_FAILURE);
        buf.writeShort(status.code());
        buf.writeByte(unprocessed ? Wire.FAILURE_UNPROCESSED : 0);
        Wire.writeStr16(buf, message == null ? "" : message);
        if (trace == null) {
            buf.writeByte(0);
        } else {
            buf.writeByte(1);
            writeTrace(buf, trace, withFrames, 0);
        }
        return end(buf);
    }

    private static void writeTrace(ByteBuf buf, Throwable t, boolean withFrames, int depth) {
        String className = t instanceof RemoteTraceback r ? r.className() : t.getClass().getName();
        String message = t instanceof RemoteTraceback r ? r.message().orElse(null) : t.getMessage();
        Wire.writeStr16(buf, className);
        if (message == null) {
            buf.writeByte(0);
        } else {
            buf.writeByte(1);
            Wire.writeStr16(buf, message);
        }
        StackTraceElement[] frames = withFrames ? t.getStackTrace() : new StackTraceElement[0];
        int n = Math.min(ownFrames(frames), SEND_TRACE_FRAMES);
        buf.writeShort(n);
        for (int i = 0; i < n; i++) {
            StackTraceElement f = frames[i];
            Wire.writeStr16(buf, f.getClassName());
            Wire.writeStr16(buf, f.getMethodName());
            Wire.writeStr16(buf, f.getFileName() == null ? "" : f.getFileName());
            buf.writeInt(f.getLineNumber());
        }
        Throwable cause = t.getCause();
        if (withFrames && cause != null && cause != t && depth + 1 < SEND_TRACE_DEPTH) {
            buf.writeByte(1);
            writeTrace(buf, cause, true, depth + 1);
        } else {
            buf.writeByte(0);
        }
    }

    /**
     * The number of leading frames that belong to the application: those above the frame where
     * Hermod's dispatch called into the servant, and above the reflection frames of that call.
     * The caller has no use for Hermod's own frames.
     */
    static int ownFrames(StackTraceElement[] frames) {
        int n = frames.length;
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].getClassName().startsWith(DISPATCH_FRAMES)) {
                n = i;
                break;
            }
        }
        while (n > 0 && isReflection(frames[n - 1].getClassName())) {
            n--;
        }
        return n == 0 ? Math.min(frames.length, 1) : n;
    }

    private static final String DISPATCH_FRAMES = "dev.hermod.internal.dispatch.Invocation";

    private static boolean isReflection(String className) {
        return className.startsWith("java.lang.reflect.") || className.startsWith("jdk.internal.reflect.");
    }

    /** The fixed part of a REPLY frame. */
    public record ReplyHeader(int requestId, int outcome) {}

    /** Reads the request id and outcome of a REPLY frame. */
    public static ReplyHeader readReply(ByteBuf body) {
        Wire.need(body, 5, "reply header");
        int id = body.readInt();
        int outcome = body.readUnsignedByte();
        if (outcome > Wire.OUTCOME_FAILURE) {
            throw new ProtocolViolation("unknown reply outcome " + outcome);
        }
        return new ReplyHeader(id, outcome);
    }

    /** The body of a failure reply. */
    public record Failure(Status status, boolean unprocessed, String message, RemoteTraceback trace) {}

    /** Reads the rest of a failure reply. */
    public static Failure readFailure(ByteBuf body) {
        Wire.need(body, 3, "failure status");
        Status status = Status.fromCode(body.readUnsignedShort());
        boolean unprocessed = (body.readUnsignedByte() & Wire.FAILURE_UNPROCESSED) != 0;
        String message = Wire.readStr16(body);
        Wire.need(body, 1, "traceback marker");
        RemoteTraceback trace = body.readUnsignedByte() != 0 ? readTrace(body, 0) : null;
        return new Failure(status, unprocessed, message, trace);
    }

    private static RemoteTraceback readTrace(ByteBuf body, int depth) {
        if (depth >= MAX_TRACE_DEPTH) {
            throw new ProtocolViolation("remote cause chain deeper than " + MAX_TRACE_DEPTH);
        }
        String className = Wire.readStr16(body);
        Wire.need(body, 1, "message marker");
        String message = body.readUnsignedByte() != 0 ? Wire.readStr16(body) : null;
        Wire.need(body, 2, "frame count");
        int n = body.readUnsignedShort();
        List<StackTraceElement> frames = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            String cls = Wire.readStr16(body);
            String method = Wire.readStr16(body);
            String file = Wire.readStr16(body);
            Wire.need(body, 4, "line number");
            int line = body.readInt();
            frames.add(new StackTraceElement(cls, method, file.isEmpty() ? null : file, line));
        }
        Wire.need(body, 1, "cause marker");
        RemoteTraceback cause = body.readUnsignedByte() != 0 ? readTrace(body, depth + 1) : null;
        return Failures.traceback(className, message, frames, cause);
    }

    // ---- CANCEL, PROGRESS ----

    /** Builds a CANCEL frame: the sender no longer wants the reply to {@code requestId}. */
    public static ByteBuf cancel(ByteBufAllocator alloc, int requestId) {
        ByteBuf buf = begin(alloc, 16, Wire.CANCEL, 0);
        buf.writeInt(requestId);
        return end(buf);
    }

    /** Reads the request id of a CANCEL frame. */
    public static int readCancel(ByteBuf body) {
        Wire.need(body, 4, "CANCEL request id");
        return body.readInt();
    }

    /** Builds a PROGRESS frame for a request being served. */
    public static ByteBuf progress(ByteBufAllocator alloc, int requestId, double fraction, String message) {
        ByteBuf buf = begin(alloc, 32 + (message == null ? 0 : message.length() * 3), Wire.PROGRESS, 0);
        buf.writeInt(requestId).writeDouble(fraction);
        Wire.writeStr16(buf, message == null ? "" : message);
        return end(buf);
    }

    /** The body of a PROGRESS frame. */
    public record Progress(int requestId, double fraction, String message) {}

    /** Reads a PROGRESS body. */
    public static Progress readProgress(ByteBuf body) {
        Wire.need(body, 12, "PROGRESS header");
        int id = body.readInt();
        double fraction = body.readDouble();
        if (!(fraction >= 0 && fraction <= 1) && !Double.isNaN(fraction)) {
            throw new ProtocolViolation("progress fraction " + fraction + " outside [0, 1]");
        }
        return new Progress(id, fraction, Wire.readStr16(body));
    }

    // ---- GOAWAY, PING, PONG ----

    /** Builds a GOAWAY frame without the count of requests taken (after a protocol error). */
    public static ByteBuf goAway(ByteBufAllocator alloc, Status status, String message) {
        return goAway(alloc, status, message, -1);
    }

    /**
     * Builds a GOAWAY frame; {@code taken}, unless negative, is the number of two-way requests
     * the sender took from this connection: it refuses every later one (PROTOCOL.md section 11).
     */
    public static ByteBuf goAway(ByteBufAllocator alloc, Status status, String message, long taken) {
        ByteBuf buf = begin(alloc, 64, Wire.GOAWAY, 0);
        buf.writeShort(status.code());
        Wire.writeStr16(buf, message == null ? "" : message);
        if (taken >= 0) {
            buf.writeInt((int) taken);
        }
        return end(buf);
    }

    /**
     * The body of a GOAWAY frame.
     *
     * @param taken how many two-way requests the sender took, or -1 if it did not say
     */
    public record GoAway(Status status, String message, long taken) {}

    /** Reads a GOAWAY body. */
    public static GoAway readGoAway(ByteBuf body) {
        Wire.need(body, 2, "GOAWAY status");
        Status status = Status.fromCode(body.readUnsignedShort());
        String message = Wire.readStr16(body);
        long taken = body.readableBytes() >= 4 ? body.readUnsignedInt() : -1;
        return new GoAway(status, message, taken);
    }

    /** A SETTINGS frame announcing this side's maximum frame size. */
    static ByteBuf settings(ByteBufAllocator alloc, int maxFrameSize, boolean authenticates) {
        ByteBuf buf = begin(alloc, 32, Wire.SETTINGS, 0);
        buf.writeShort(Wire.SETTING_MAX_FRAME_SIZE).writeInt(maxFrameSize);
        buf.writeShort(Wire.SETTING_COMPRESSION).writeInt(Compression.LZ4);
        buf.writeShort(Wire.SETTING_STREAMS).writeInt(Wire.STREAMS_V1);
        buf.writeShort(Wire.SETTING_SEGMENTS).writeInt(Wire.SEGMENTS_V1);
        if (authenticates) {
            buf.writeShort(Wire.SETTING_AUTHENTICATION).writeInt(1);
        }
        return end(buf);
    }

    /** An AUTH frame: the mechanism's name, then the credentials to the end of the frame. */
    static ByteBuf auth(ByteBufAllocator alloc, String mechanism, byte[] data) {
        ByteBuf buf = begin(alloc, 16 + mechanism.length() + data.length, Wire.AUTH, 0);
        Wire.writeStr16(buf, mechanism);
        buf.writeBytes(data);
        return end(buf);
    }

    /** An AUTH_OK frame: the principal's name, empty when the connection stays unauthenticated. */
    static ByteBuf authOk(ByteBufAllocator alloc, String principal) {
        ByteBuf buf = begin(alloc, 16 + principal.length() * 3, Wire.AUTH_OK, 0);
        Wire.writeStr16(buf, principal);
        return end(buf);
    }

    static ByteBuf pingPong(ByteBufAllocator alloc, int type, long payload) {
        ByteBuf buf = begin(alloc, 16, type, 0);
        buf.writeLong(payload);
        return end(buf);
    }
}
