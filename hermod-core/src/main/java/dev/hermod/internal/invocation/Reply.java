package dev.hermod.internal.invocation;

import dev.hermod.MarshalException;
import dev.hermod.RemoteException;
import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.codec.LeanCoder;
import dev.hermod.internal.codec.Segmented;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.protocol.Segments;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * A reply as it arrived: the encoded result, or a declared exception of the named type. Kept as
 * bytes until the thread that takes the outcome decodes it ({@link #resolve}): decoding runs user
 * code (bean setters, constructors), which never runs on an I/O thread. Immutable.
 *
 * <p>A result whose buffers came as segments (PROTOCOL.md section 30) is decoded from the one copy
 * of the frame's bytes the payload already is: a {@link ByteBuffer} result is a read-only view of
 * that array, which belongs to the caller alone, so it stays valid however long it is kept.
 */
record Reply(byte[] payload, String exceptionType, boolean segmented) {

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
