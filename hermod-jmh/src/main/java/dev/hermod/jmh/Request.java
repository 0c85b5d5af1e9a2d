package dev.hermod.jmh;

import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.codec.JacksonCodec;
import dev.hermod.internal.contract.Contract;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.protocol.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One request of a benchmark: an operation of a contract read as a client or server reads it
 * (with the default CBOR codec, so the argument coder is the one calls use), the service name it
 * is sent to, and its arguments.
 *
 * <p>Immutable once made; the argument arrays are not copied, and nothing here changes them.
 *
 * @param service the service name the request carries
 * @param operation the operation, with its argument coder
 * @param args the arguments
 * @param sizeHint the capacity a frame starts with: the arguments' encoded length plus 128 bytes
 *     for the header. {@code RpcConnection.sizeHint} guesses it from the arguments instead (128
 *     bytes, plus each {@code byte[]}'s length and 9, plus 16 for other values); for these
 *     requests both give a frame that does not grow while the arguments are written into it
 */
record Request(String service, Operation operation, Object[] args, int sizeHint) {

    /** The shapes the codec benchmarks take, by their {@code @Param} names. */
    static final String ECHO_32B = "echo-32B";
    static final String EMPLOYEE = "employee";
    static final String SEND_64KIB = "send-64KiB";
    static final String STAFF_100 = "staff-100";
    /** Employees in {@link #STAFF_100}. */
    static final int STAFF = 100;

    /** The timeout a request carries: hermod-bench's calls run with the default 30 s. */
    static final long TIMEOUT_MILLIS = 30_000;

    /**
     * Returns the request of the given shape.
     *
     * @throws IllegalArgumentException for an unknown shape
     */
    static Request of(String shape) {
        Random random = new Random(42);
        switch (shape) {
            case ECHO_32B: {
                byte[] data = new byte[32];
                random.nextBytes(data);
                return of(Echo.class, "echo", "echo", data);
            }
            case EMPLOYEE:
                return of(Staff.class, "staff", "hire", new Staff.Employee(
                        1_042L, "Ada Lovelace", "ada@example.org", "Analytical Engines", 7, true));
            case STAFF_100: {
                List<Staff.Employee> staff = new ArrayList<>(STAFF);
                for (int i = 0; i < STAFF; i++) {
                    staff.add(new Staff.Employee(1_000L + i, "Employee " + i, "employee" + i + "@example.org",
                            "Department " + (i % 7), i % 10, i % 3 != 0));
                }
                return of(Staff.class, "staff", "hireAll", staff);
            }
            case SEND_64KIB: {
                byte[] chunk = new byte[64 * 1024];
                random.nextBytes(chunk);
                return of(FileTransfer.class, "files", "send", 3L * chunk.length, chunk);
            }
            default:
                throw new IllegalArgumentException("unknown request shape: " + shape);
        }
    }

    private static Request of(Class<?> contract, String service, String operation, Object... args) {
        Operation op = Contract.of(contract, JacksonCodec.cbor()).operation(operation);
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        try {
            op.argumentCoder().encode(args, encoded);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the arguments of " + op.describeOn(service), e);
        }
        return new Request(service, op, args, 128 + encoded.size());
    }

    /** The coder of the operation's arguments: the one the client encodes and the server decodes with. */
    ValueCoder coder() {
        return operation.argumentCoder();
    }

    /**
     * Builds the REQUEST frame a client sends for this request, length prefix included, as
     * {@code RpcConnection} does: header, then the encoded arguments straight into the frame.
     */
    ByteBuf frame(ByteBufAllocator alloc, int requestId) throws IOException {
        ByteBuf frame = Frames.beginRequest(alloc, sizeHint(), 0, requestId, TIMEOUT_MILLIS, service,
                operation.name(), Map.of());
        try {
            coder().encode(args, new ByteBufOutputStream(frame));
        } catch (IOException | RuntimeException e) {
            frame.release();
            throw e;
        }
        return Frames.end(frame);
    }
}
