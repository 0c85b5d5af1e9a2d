package dev.hermod.internal.invocation;

import dev.hermod.MarshalException;
import dev.hermod.RemoteException;
import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.codec.LeanCoder;
import dev.hermod.internal.codec.Segmented;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.Segments;
import dev.hermod.internal.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * A reply as it arrived: the encoded result, or a declared exception of the named type. Kept as
 * bytes until the thread that takes the outcome decodes it ({@link #resolve}): decoding runs user
 * code (bean setters, constructors), which never runs on an I/O thread; small results that run
 * none are decoded as they arrive ({@link #settle}). Immutable.
 *
 * <p>A result whose buffers came as segments (PROTOCOL.md section 30) is decoded from the one copy
 * of the frame's bytes the payload already is: a {@link ByteBuffer} result is a read-only view of
 * that array, which belongs to the caller alone, so it stays valid however long it is kept.
 */
record Reply(byte[] payload, String exceptionType, boolean segmented) {

    /**
     * The largest result decoded on the I/O thread ({@link #completeDecoded}): a larger one is
     * copied out for the thread that takes it, so that the I/O thread's turn stays short.
     */
    private static final int SMALL_RESULT = 4096;


    /**
     * Settles {@code call} with the outcome a REPLY frame carries ({@code outcome}, then
     * {@code body}): a small result that runs no application code to decode is decoded here, on
     * the I/O thread; any other result or declared exception is kept as a {@link Reply} for the
     * thread that takes the outcome; a failure fails the call. {@code compressed},
     * {@code segmented}: the frame's flags. On the link's I/O thread.
     */
    static void settle(Call call, int outcome, ByteBuf body, boolean compressed, boolean segmented, Link link) {
        switch (outcome) {
            case Wire.OUTCOME_RESULT:
                if (compressed || segmented || !completeDecoded(call, body)) {
                    // Decoded later by the thread that takes the outcome: decoding runs user code
                    // (bean setters, constructors), which never runs on an I/O thread.
                    call.succeed(new Reply(payloadBytes(body, compressed, link), null, segmented && !compressed));
                }
                break;
            case Wire.OUTCOME_EXCEPTION:
                String type = Wire.readStr16(body);
                if (call.operation.exceptionCoder(type) == null) {
                    call.fail(Failures.marshal("the server answered " + call.describe() + " with exception type "
                            + type + ", which the operation does not declare", null, false));
                } else {
                    call.succeed(new Reply(payloadBytes(body, compressed, link), type, false));
                }
                break;
            default:
                call.fail(Exceptions.fromFailure(Frames.readFailure(body)));
                break;
        }
    }

    /**
     * Decodes a small result here, on the I/O thread, when that runs no code of the application's
     * (a {@code String}, a {@code byte[]}, a number): the payload is then not copied out of the
     * frame for the thread that takes the outcome. Returns whether the call was decided so.
     */
    private static boolean completeDecoded(Call call, ByteBuf body) {
        int length = body.readableBytes();
        if (length > SMALL_RESULT || !body.hasArray() || call.byReference || call.streams != null
                || call.operation.resultReference() != null
                || !(call.operation.resultCoder() instanceof LeanCoder lean) || !lean.decodesWithoutUserCode()) {
            return false;
        }
        Object value;
        try {
            value = lean.decodeOne(body.array(), body.arrayOffset() + body.readerIndex(), length);
        } catch (Exception ex) {
            call.fail(Failures.marshal("cannot decode the result of " + call.describe() + ": " + ex.getMessage(),
                    ex, false));
            return true;
        }
        call.succeed(value);
        return true;
    }

    /** The rest of {@code body}, decompressed if its frame said so. */
    private static byte[] payloadBytes(ByteBuf body, boolean compressed, Link link) {
        if (!compressed) {
            return ByteBufUtil.getBytes(body);
        }
        ByteBuf plain = link.decompress(body);
        try {
            return ByteBufUtil.getBytes(plain);
        } finally {
            plain.release();
        }
    }

    /**
     * Turns an outcome of {@code call} into what the call returns: decodes a reply, returning the
     * value or throwing the declared exception (or a {@link MarshalException}); any other
     * outcome is returned as it is.
     */
    static Object resolve(Call call, Object outcome) throws Throwable {
        if (!(outcome instanceof Reply r)) {
            return outcome;
        }
        Operation operation = call.operation();
        if (r.exceptionType() == null) {
            Object value;
            if (call.byReference) { // in process: handed back before the REPLY frame was sent
                return call.handedResult;
            }
            try {
                value = segmented(r, operation) ? decodeSegmented((Segmented) operation.resultCoder(), r.payload())
                        : decodeOne(operation.resultCoder(), r.payload());
            } catch (Exception ex) {
                throw Failures.marshal("cannot decode the result of " + call.describe() + ": "
                        + ex.getMessage(), ex, false);
            }
            return operation.resultReference() == null ? value
                    : call.connection.objects().fromWire(operation.resultReference(), value);
        }
        Object decoded;
        try {
            decoded = decodeOne(operation.exceptionCoder(r.exceptionType()), r.payload());
        } catch (Exception ex) {
            throw Failures.marshal("cannot decode declared exception " + r.exceptionType()
                    + " thrown by " + call.describe() + ": " + ex.getMessage(), ex, false);
        }
        if (operation.isDynamic()) {
            // No class to rebuild: describe the declared exception as data.
            Object message = decoded instanceof Map<?, ?> m ? m.get("message") : null;
            throw new RemoteException(call.describe() + " threw declared exception " + r.exceptionType()
                    + ": " + decoded, Failures.traceback(r.exceptionType(),
                            message == null ? null : message.toString(), List.of(), null));
        }
        throw (Throwable) decoded;
    }

    private static boolean segmented(Reply r, Operation operation) {
        return r.segmented() && operation.resultCoder() instanceof Segmented;
    }

    /** The one value a result's or exception's coder decodes from {@code payload}. */
    private static Object decodeOne(ValueCoder coder, byte[] payload) throws java.io.IOException {
        return coder instanceof LeanCoder a ? a.decodeOne(payload, 0, payload.length)
                : coder.decode(ByteBuffer.wrap(payload))[0];
    }

    private static Object decodeSegmented(Segmented coder, byte[] payload) throws java.io.IOException {
        Segments.Split split = Segments.split(ByteBuffer.wrap(payload));
        return coder.decode(split.payload(), split.segments())[0];
    }
}
