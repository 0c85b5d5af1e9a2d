package dev.hermod.internal.invocation;

import dev.hermod.RpcException;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.codec.FrameOutput;
import dev.hermod.internal.codec.Segmented;
import dev.hermod.internal.protocol.CallerBuffers;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.Segments;
import dev.hermod.internal.protocol.Wire;
import dev.hermod.internal.reference.ObjectTable;
import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * The REQUEST frame of a call, built on the thread that sends it ({@link RpcConnection#send}):
 * its flags, header and encoded arguments (or raw segments, or nothing when the serving end takes
 * the arguments by reference), checked against the peer's frame limit and compressed if asked.
 * Stateless.
 */
final class RequestFrames {
    private RequestFrames() {}

    /**
     * Builds the request frame of {@code call} under request id {@code id} (0 for a oneway call).
     * {@code byReference}: the serving end, in this process, takes the arguments from the pending
     * call, so none are encoded.
     *
     * @throws RpcException if the arguments cannot be encoded (a reference that cannot be passed,
     *     a value the coder refuses) or the frame is above the peer's limit; nothing is held then
     *     (a frame built in the buffer the link lends is given back)
     */
    static ByteBuf build(Call call, Link link, ObjectTable objects, int id, boolean byReference) {
        boolean compress = !byReference && call.options.compression().orElse(link.compressByDefault());
        // Buffers travel as raw segments (section 30), unless the payload is to be compressed.
        boolean segmented = !byReference && !(compress && link.peerReadsCompressed()) && link.peerReadsSegments()
                && call.operation.argumentCoder() instanceof Segmented s && s.carriesBuffers();
        int flags = (call.oneway ? Wire.FLAG_ONEWAY : 0)
                | (segmented ? Wire.FLAG_SEGMENTS : 0)
                | (compress && !call.oneway && link.peerReadsCompressed() ? Wire.FLAG_COMPRESS_REPLY : 0)
                | (call.streams != null ? Wire.FLAG_STREAM : 0)
                | (byReference ? Wire.FLAG_BY_REFERENCE : 0);
        ByteBuf frame = begin(call, link, flags, id, segmented);
        int payloadStart = frame.writerIndex();
        try {
            if (segmented) {
                Object[] values = objects.argumentsToWire(call.operation, call.args);
                frame = Segments.write(frame, (out, segments) ->
                        ((Segmented) call.operation.argumentCoder()).encode(values, out, segments));
            } else if (!byReference) { // else the serving end takes them from the pending call
                FrameOutput.encode(call.operation.argumentCoder(), objects.argumentsToWire(call.operation, call.args),
                        frame);
            }
        } catch (RpcException e) { // a reference that cannot be passed
            release(frame, link);
            throw e;
        } catch (Exception | StackOverflowError e) {
            release(frame, link);
            throw Failures.marshal("cannot encode the arguments of " + call.describe() + ": " + e.getMessage(), e,
                    true);
        }
        Frames.end(frame);
        int length = Frames.frameLength(frame);
        if (length > link.sendLimit()) {
            release(frame, link);
            throw Failures.marshal("the request for " + call.describe() + " is " + length + " bytes, above "
                    + link.describeSendLimit(), null, true);
        }
        // Checked uncompressed above: the peer's limit bounds what the payload inflates to.
        if (link.compress(frame, payloadStart, compress)) {
            Frames.end(frame);
        }
        return frame;
    }

    /**
     * Starts the request frame of {@code call}. A small one built on the caller's thread goes into
     * a heap array of about its size ({@link CallerBuffers}); one built on the I/O thread (a call
     * made from a direct callback) into the buffer the link lends ({@link Link#lendFrameBuffer}),
     * which the caller {@linkplain Link#giveBack gives back} once the frame is handed over or held
     * back (the backlog holds a copy); a large one, or one followed by raw segments, into the
     * connection's pooled direct memory (a heap header before a direct segment would have the
     * transport copy the whole of both).
     */
    private static ByteBuf begin(Call call, Link link, int flags, int id, boolean segmented) {
        String service = call.wireService();
        String operation = call.operation.name();
        Map<String, String> context = call.options.context();
        int arguments = argumentsHint(call.args);
        if (segmented) {
            return Frames.beginRequest(link.alloc(), 128 + arguments, flags, id, call.wireTimeoutMillis(), service,
                    operation, context);
        }
        if (link.eventLoop().inEventLoop()) {
            return Frames.beginRequest(link.lendFrameBuffer(128 + arguments), flags, id, call.wireTimeoutMillis(),
                    service, operation, context);
        }
        boolean small = arguments <= CallerBuffers.MAX_HINT;
        return Frames.beginRequest(small ? CallerBuffers.INSTANCE : link.alloc(),
                small ? Frames.requestHeaderLength(service, operation, context) + arguments : 128 + arguments,
                flags, id, call.wireTimeoutMillis(), service, operation, context);
    }

    /** Releases a frame not sent, or gives it back if the link lent it. */
    private static void release(ByteBuf frame, Link link) {
        frame.release();
        link.giveBack(frame);
    }

    /** A guess at the encoded size of the arguments, so that large ones are not copied as the frame grows. */
    static int sizeHint(Object[] args) {
        return 128 + argumentsHint(args);
    }

    /**
     * A guess at the encoded size of the arguments alone (a CBOR array, one item per parameter):
     * about right for byte arrays, at least what a few small values of other kinds take.
     */
    private static int argumentsHint(Object[] args) {
        long n = args.length < 24 ? 1 : 9; // the array's header
        for (Object a : args) {
            n += FrameOutput.sizeHint(a);
        }
        return (int) Math.min(n, 16 * 1024 * 1024);
    }
}
