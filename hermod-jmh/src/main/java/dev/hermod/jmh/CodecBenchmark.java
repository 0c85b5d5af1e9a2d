package dev.hermod.jmh;

import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The codec path of one request, on each side of a call, with Hermod's own code: the argument
 * coder a contract gets from the default CBOR codec, and the REQUEST frame built and read by
 * {@link Frames}.
 *
 * <ul>
 *   <li>{@link #encodeArguments}: the client's coder writes the arguments into a buffer (codec only);
 *   <li>{@link #decodeArguments}: the server's coder reads them from a heap buffer (codec only);
 *   <li>{@link #encodeRequest}: what the client does to send a call, as {@code RpcConnection}
 *       does it: a frame from the pooled allocator, its header, the arguments encoded into it,
 *       its length filled in, and (here, as the transport does once it is written) its release;
 *   <li>{@link #decodeRequest}: what the server does with a REQUEST frame as {@code FrameDecoder}
 *       hands it over (a pooled heap buffer, positioned after type and flags): its header read,
 *       its payload taken as a {@code ByteBuffer} and the arguments decoded, as
 *       {@code Invocation} does.
 * </ul>
 *
 * <p>Each runs for every {@link #shape}: {@code echo-32B} is hermod-bench's {@code Echo.echo}
 * with 32 bytes, {@code employee} a record of six fields, {@code staff-100} a list of 100 such
 * records (about 7 KB, large enough that the receiver walks it before decoding it,
 * {@code DecodeLimits}), {@code send-64KiB} hermod-bench's bulk
 * {@code FileTransfer.send(long, byte[])} with a 64 KiB chunk. Everything is prepared in
 * {@link #setUp}; an operation allocates only what a call allocates.
 *
 * <p>The state is per thread, so {@code -t} runs independent copies side by side. Settings:
 * {@link Defaults}.
 */
@State(Scope.Thread)
public class CodecBenchmark extends Defaults {

    /** Transport.java gives every channel this allocator; frames come from it. */
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** The request measured; see the class comment. */
    @Param({Request.ECHO_32B, Request.EMPLOYEE, Request.STAFF_100, Request.SEND_64KIB})
    public String shape;

    private Request request;
    /** The encoded arguments alone, as the server's coder sees them. */
    private byte[] encodedArguments;
    /** Where {@link #encodeArguments} writes: a pooled buffer reused, as a frame would be. */
    private ByteBuf scratch;
    /** A received REQUEST frame without its length prefix, as {@code FrameDecoder} emits it. */
    private ByteBuf received;
    private int requestId;

    /**
     * Reads the contract, encodes the request once and keeps what the benchmarks read.
     *
     * @throws IOException if the arguments cannot be encoded
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        request = Request.of(shape);
        ByteBuf frame = request.frame(ALLOC, 1);
        try {
            frame.skipBytes(Wire.LENGTH_PREFIX);
            received = ALLOC.heapBuffer(frame.readableBytes());
            received.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            received.readerIndex(Wire.FRAME_HEADER);
            ByteBuf copy = received.duplicate();
            Frames.readRequest(copy);
            encodedArguments = ByteBufUtil.getBytes(copy);
        } finally {
            frame.release();
        }
        scratch = ALLOC.buffer(request.sizeHint());
    }

    /** Returns the buffers to the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        received.release();
        scratch.release();
    }

    /** The request measured; for the test. */
    Request request() {
        return request;
    }

    /** What {@link #encodeArguments} wrote last; for the test. */
    byte[] lastEncoded() {
        return ByteBufUtil.getBytes(scratch);
    }

    /** The arguments' encoding inside a REQUEST frame; for the test. */
    byte[] encodedArguments() {
        return encodedArguments.clone();
    }

    /**
     * Encodes the arguments into a reused buffer.
     *
     * @param bh consumes the encoded length
     * @throws IOException if the codec fails
     */
    @Benchmark
    public void encodeArguments(Blackhole bh) throws IOException {
        scratch.clear();
        request.coder().encode(request.args(), new ByteBufOutputStream(scratch));
        bh.consume(scratch.writerIndex());
    }

    /**
     * Decodes the arguments from a heap buffer over their encoding.
     *
     * @return the decoded arguments, which JMH consumes
     * @throws IOException if the codec fails
     */
    @Benchmark
    public Object[] decodeArguments() throws IOException {
        return request.coder().decode(ByteBuffer.wrap(encodedArguments));
    }

    /**
     * Builds the REQUEST frame of a call and releases it.
     *
     * @param bh consumes the frame's length
     * @throws IOException if the codec fails
     */
    @Benchmark
    public void encodeRequest(Blackhole bh) throws IOException {
        ByteBuf frame = request.frame(ALLOC, ++requestId);
        bh.consume(Frames.frameLength(frame));
        frame.release();
    }

    /**
     * Reads a received REQUEST frame: its header, then its arguments.
     *
     * @param bh consumes the header
     * @return the decoded arguments, which JMH consumes
     * @throws IOException if the codec fails
     */
    @Benchmark
    public Object[] decodeRequest(Blackhole bh) throws IOException {
        received.readerIndex(Wire.FRAME_HEADER);
        bh.consume(Frames.readRequest(received));
        return request.coder().decode(Frames.payload(received));
    }
}
