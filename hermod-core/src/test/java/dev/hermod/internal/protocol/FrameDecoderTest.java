package dev.hermod.internal.protocol;

import static dev.hermod.internal.protocol.WireBytes.bytes;
import static dev.hermod.internal.protocol.WireBytes.concat;
import static dev.hermod.internal.protocol.WireBytes.frame;
import static dev.hermod.internal.protocol.WireBytes.preamble;
import static dev.hermod.internal.protocol.WireBytes.prefix;
import static dev.hermod.internal.protocol.WireBytes.withoutPrefix;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame decoder on its own, fed through an {@link EmbeddedChannel} in pieces cut anywhere:
 * frames come out whole, on the heap, each in a buffer of its own; a broken stream fails before
 * anything of the offending frame is buffered; and no buffer, inbound or partial frame, is left
 * unreleased.
 */
final class FrameDecoderTest {
    private static final int MAX_FRAME = 2 * 1024 * 1024;

    private final RecordingAllocator alloc = new RecordingAllocator();
    private final List<ByteBuf> inputs = new ArrayList<>();
    private EmbeddedChannel channel;

    @AfterEach
    void nothingLeaks() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        assertThat(inputs).allSatisfy(in -> assertThat(in.refCnt()).as("inbound buffer").isZero());
        assertThat(alloc.heap).allSatisfy(frame -> assertThat(frame.refCnt()).as("frame buffer").isZero());
    }

    // ---- well-formed streams ----

    @Test
    void wholeFrameInOneRead_isCopiedOnceIntoABufferOfItsLength() {
        byte[] frame = frame(Wire.REQUEST, 0, bytes(100));
        open(MAX_FRAME);

        feed(concat(preamble(), frame));

        assertThat(channel.pipeline().get(FrameDecoder.class).preambleSeen()).isTrue();
        assertThat(readFrames()).containsExactly(withoutPrefix(frame));
        assertThat(alloc.requested).containsExactly(frame.length - Wire.LENGTH_PREFIX);
    }

    @Test
    void severalFramesInOneRead_comeOutInOrder() {
        byte[][] frames = {frame(Wire.PING, 0, bytes(8)), frame(Wire.REPLY, 0, bytes(0)),
                frame(Wire.BATCH, 3, bytes(5000)), frame(0x7F, 0, bytes(1))};
        open(MAX_FRAME);

        feed(concat(preamble(), concat(frames)));

        assertThat(readFrames()).containsExactly(Arrays.stream(frames).map(WireBytes::withoutPrefix)
                .toArray(byte[][]::new));
    }

    @Test
    void streamSplitAtEveryPosition_yieldsTheSameFrames() {
        byte[][] frames = {frame(Wire.PING, 0, bytes(8)), frame(Wire.GOAWAY, 0, bytes(0)),
                frame(Wire.REQUEST, 1, bytes(300))};
        byte[] stream = concat(preamble(), concat(frames));
        byte[][] expected = Arrays.stream(frames).map(WireBytes::withoutPrefix).toArray(byte[][]::new);

        for (int cut = 0; cut <= stream.length; cut++) {
            open(MAX_FRAME);
            feed(stream, cut);
            assertThat(readFrames()).as("cut at %d", cut).containsExactly(expected);
            channel.finishAndReleaseAll();
        }
        open(MAX_FRAME);
        feed(stream, IntStream.range(1, stream.length).toArray()); // one byte per read
        assertThat(readFrames()).containsExactly(expected);
    }

    @Test
    void preambleAloneThenFrames_preambleSeenBeforeAnyFrame() {
        open(MAX_FRAME);
        feed(Arrays.copyOf(preamble(), 5));
        assertThat(channel.pipeline().get(FrameDecoder.class).preambleSeen()).isFalse();

        feed(Arrays.copyOfRange(preamble(), 5, Wire.PREAMBLE_LENGTH));

        assertThat(channel.pipeline().get(FrameDecoder.class).preambleSeen()).isTrue();
        assertThat(readFrames()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1000})
    void largeFrameInSmallPieces_arrivesWholeInMemoryThatFollowsTheBytes(int piece) {
        byte[] body = bytes(1024 * 1024 - Wire.FRAME_HEADER);
        byte[] frame = frame(Wire.REQUEST, 0, body);
        open(MAX_FRAME);
        feed(concat(preamble(), Arrays.copyOf(frame, Wire.LENGTH_PREFIX)));

        ByteBuf source = Unpooled.directBuffer(frame.length).writeBytes(frame, Wire.LENGTH_PREFIX,
                frame.length - Wire.LENGTH_PREFIX);
        int received = 0;
        while (source.isReadable()) {
            int n = Math.min(piece, source.readableBytes());
            channel.writeInbound(source.readRetainedSlice(n));
            received += n;
            if (received >= 300_000 && received - n < 300_000) {
                ByteBuf partial = alloc.heap.get(0);
                assertThat(partial.capacity()).isBetween(received, 2 * received);
            }
        }
        source.release();
        inputs.add(source);

        assertThat(alloc.requested).containsExactly(FrameDecoder.SPAN_CHUNK);
        assertThat(readFrames()).containsExactly(withoutPrefix(frame));
    }

    @Test
    void hugeDeclaredLengthWithFewBytes_allocatesOnlyTheSpanChunk() {
        int huge = 16 * 1024 * 1024;
        open(huge);

        feed(concat(preamble(), new byte[] {1, 0, 0, 0, Wire.REQUEST, 0, 1, 2}));

        assertThat(alloc.requested).containsExactly(FrameDecoder.SPAN_CHUNK);
        assertThat(alloc.heap.get(0).capacity()).isEqualTo(FrameDecoder.SPAN_CHUNK);
        assertThat(alloc.heap.get(0).maxCapacity()).isEqualTo(huge);
        assertThat(readFrames()).isEmpty();
    }

    @Test
    void frameSpanningReads_getsRoomForWhatHasArrivedWhenMoreThanTheChunk() {
        byte[] frame = frame(Wire.REPLY, 0, bytes(400_000));
        open(MAX_FRAME);

        feed(concat(preamble(), frame), Wire.PREAMBLE_LENGTH + 300_000);

        assertThat(alloc.requested).containsExactly(300_000 - Wire.LENGTH_PREFIX);
        assertThat(readFrames()).containsExactly(withoutPrefix(frame));
    }

    @Test
    void frameOfExactlyTheLimit_isAccepted() {
        byte[] frame = frame(Wire.REQUEST, 0, bytes(1000 - Wire.FRAME_HEADER));
        open(1000);

        feed(concat(preamble(), frame), 100, 600);

        assertThat(readFrames()).containsExactly(withoutPrefix(frame));
    }

    // ---- broken streams ----

    @Test
    void garbageInsteadOfPreamble_failsAndDiscardsTheRest() {
        open(MAX_FRAME);

        assertThatThrownBy(() -> feed("GET / HTTP/1.1\r\n".getBytes(US_ASCII), 2))
                .isInstanceOf(ProtocolViolation.class)
                .hasMessage("peer does not speak Hermod: expected magic 'HRMD', got 0x47455420");

        feed(concat(preamble(), frame(Wire.PING, 0, bytes(8))));
        assertThat(channel.pipeline().get(FrameDecoder.class).preambleSeen()).isFalse();
        assertThat(readFrames()).isEmpty();
        assertThat(alloc.heap).isEmpty();
    }

    @Test
    void otherProtocolVersion_failsWithVersionMismatch() {
        open(MAX_FRAME);
        byte[] preamble = preamble();
        preamble[5] = 2;

        assertThatThrownBy(() -> feed(concat(preamble, frame(Wire.PING, 0, bytes(8)))))
                .isInstanceOfSatisfying(FrameDecoder.VersionMismatch.class, e -> assertThat(e.peerVersion).isEqualTo(2))
                .hasMessage("peer speaks Hermod protocol version 2; this side speaks version 1");
        assertThat(readFrames()).isEmpty();
        assertThat(alloc.heap).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1})
    void lengthBelowTheMinimum_failsOnThePrefixAlone(long length) {
        open(MAX_FRAME);
        feed(preamble());

        assertThatThrownBy(() -> feed(prefix(length), 2))
                .isInstanceOf(ProtocolViolation.class)
                .hasMessage("frame length " + length + " is below the minimum of 2");

        assertThat(alloc.heap).isEmpty();
        feed(frame(Wire.PING, 0, bytes(8)));
        assertThat(readFrames()).isEmpty();
        assertThat(alloc.heap).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {1001, 0x8000_0000L, 0xFFFF_FFFFL})
    void lengthAboveTheLimit_failsOnThePrefixAlone(long length) {
        open(1000);
        feed(preamble());

        assertThatThrownBy(() -> feed(prefix(length), 3))
                .isInstanceOf(ProtocolViolation.class)
                .hasMessage("frame of " + length + " bytes exceeds the limit of 1000 bytes");

        assertThat(alloc.heap).isEmpty();
        feed(bytes(5000));
        assertThat(readFrames()).isEmpty();
        assertThat(alloc.heap).isEmpty();
    }

    @Test
    void framesBeforeABadLengthInTheSameRead_arePassedOnFirst() {
        byte[] good = frame(Wire.PING, 0, bytes(8));
        open(MAX_FRAME);

        assertThatThrownBy(() -> feed(concat(preamble(), good, prefix(1), good)))
                .isInstanceOf(ProtocolViolation.class);

        assertThat(readFrames()).containsExactly(withoutPrefix(good));
    }

    // ---- releasing partial frames ----

    @Test
    void partialFrame_isReleasedWhenTheChannelCloses() {
        ByteBuf partial = partialFrame();

        channel.close();

        assertThat(partial.refCnt()).isZero();
    }

    @Test
    void partialFrame_isReleasedWhenTheDecoderIsRemoved() {
        ByteBuf partial = partialFrame();

        channel.pipeline().remove(FrameDecoder.class);

        assertThat(partial.refCnt()).isZero();
    }

    @Test
    void partialFrame_isReleasedOnAnException_andLaterInputDiscarded() {
        ByteBuf partial = partialFrame();

        channel.pipeline().fireExceptionCaught(new java.io.IOException("connection reset"));

        assertThat(partial.refCnt()).isZero();
        assertThatThrownBy(channel::checkException).hasMessage("connection reset");
        feed(bytes(100));
        assertThat(readFrames()).isEmpty();
        assertThat(alloc.heap).hasSize(1);
    }

    // ---- read completion ----

    @Test
    void readComplete_passesThrough_andAsksForMoreWhenNoFrameCameOutWithAutoReadOff() {
        ReadCounter reads = new ReadCounter();
        ReadCompleteCounter completes = new ReadCompleteCounter();
        channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(reads, new FrameDecoder(MAX_FRAME), completes);
        byte[] frame = frame(Wire.PING, 0, bytes(8));

        feed(concat(preamble(), Arrays.copyOf(frame, 6)));
        assertThat(reads.count).isEqualTo(1);
        assertThat(completes.count).isEqualTo(1);

        feed(Arrays.copyOfRange(frame, 6, frame.length));
        assertThat(reads.count).isEqualTo(1); // a frame went on: reading more is up to its receiver
        assertThat(completes.count).isEqualTo(2);
        assertThat(readFrames()).containsExactly(withoutPrefix(frame));

        channel.config().setAutoRead(true);
        int before = reads.count;
        feed(Arrays.copyOf(frame, 3));
        assertThat(reads.count - before).isEqualTo(1); // only the channel's own read for auto-read
    }

    // ---- helpers ----

    private void open(int maxFrameSize) {
        channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameDecoder(maxFrameSize));
    }

    /** A decoder that wants frames at {@code rate} bytes/s after {@code graceMillis}. */
    private void openTimed(int rate, long graceMillis) {
        channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameDecoder(MAX_FRAME, rate, java.time.Duration.ofMillis(graceMillis)));
    }

    /** Waits in real time, then runs the rate checks that came due. */
    private void waitAndCheck(long millis) throws InterruptedException {
        Thread.sleep(millis);
        channel.runPendingTasks();
    }

    /** Feeds {@code data} as direct buffers, one read per piece, cut at the given offsets. */
    private void feed(byte[] data, int... cuts) {
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : data.length;
            ByteBuf in = Unpooled.directBuffer(Math.max(1, to - from)).writeBytes(data, from, to - from);
            inputs.add(in);
            channel.writeInbound(in);
            from = to;
        }
    }

    /** Reads and releases the frames that came out, checking that each is on the heap. */
    private List<byte[]> readFrames() {
        List<byte[]> frames = new ArrayList<>();
        for (ByteBuf frame = channel.readInbound(); frame != null; frame = channel.readInbound()) {
            try {
                assertThat(frame.hasArray()).as("frame is on the heap").isTrue();
                frames.add(ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
            }
        }
        return frames;
    }

    /** Opens a channel and feeds it the preamble and part of a frame; returns that frame's buffer. */
    private ByteBuf partialFrame() {
        open(MAX_FRAME);
        feed(concat(preamble(), Arrays.copyOf(frame(Wire.REQUEST, 0, bytes(1000)), 500)));
        assertThat(alloc.heap).hasSize(1);
        ByteBuf partial = alloc.heap.get(0);
        assertThat(partial.refCnt()).isEqualTo(1);
        assertThat(readFrames()).isEmpty();
        return partial;
    }

    // ---- slow peers ----

    @Test
    void frameTricklingBelowTheMinimumRate_closesAfterTheGrace() throws InterruptedException {
        openTimed(10_000, 200);
        feed(concat(preamble(), prefix(100_000), new byte[] {Wire.REQUEST, 0}));

        waitAndCheck(1_100);

        assertThatThrownBy(channel::checkException).isInstanceOf(FrameDecoder.TooSlow.class)
                .hasMessageContaining("the peer sent 6 bytes of a 100004-byte frame in 1 s")
                .hasMessageContaining("minimum of 10000 bytes/s");
        assertThat(alloc.heap).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        feed(bytes(100)); // dropped unread once discarding
        assertThat(readFrames()).isEmpty();
    }

    @Test
    void frameArrivingFastEnough_isNotClosedAndTimingStopsWithIt() throws InterruptedException {
        openTimed(1_000, 200);
        byte[] frame = frame(Wire.REQUEST, 0, bytes(3_000));
        // 2,000 bytes are due only 2.2 s after the frame started: the check that runs after about
        // 1 s passes even when a loaded machine wakes this thread late
        feed(concat(preamble(), Arrays.copyOf(frame, 2_000)));
        waitAndCheck(1_050);
        feed(Arrays.copyOfRange(frame, 2_000, frame.length));
        waitAndCheck(1_050);

        channel.checkException();
        assertThat(readFrames()).containsExactly(withoutPrefix(frame));
    }

    @Test
    void timeWhileThisSideStoppedReading_doesNotCountAgainstThePeer() throws InterruptedException {
        openTimed(10_000, 200);
        feed(concat(preamble(), prefix(100_000), new byte[] {Wire.REQUEST, 0}));
        channel.config().setAutoRead(false);

        waitAndCheck(1_100);
        waitAndCheck(1_100);

        channel.checkException();
    }

    @Test
    void lengthPrefixLeftHalfSent_isTimedToo() throws InterruptedException {
        openTimed(10_000, 200);
        feed(concat(preamble(), new byte[] {0, 0}));

        waitAndCheck(1_100);

        assertThatThrownBy(channel::checkException).isInstanceOf(FrameDecoder.TooSlow.class)
                .hasMessageContaining("the peer sent 2 bytes of a 4-byte frame");
    }

    /** Unpooled buffers, recording each heap buffer handed out and the capacity asked for. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> heap = new ArrayList<>();
        final List<Integer> requested = new ArrayList<>();

        RecordingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            heap.add(buf);
            requested.add(initialCapacity);
            return buf;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    /** Counts the reads requested of the transport. */
    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }
    }

    /** Counts the read completions that reach the end of the pipeline. */
    private static final class ReadCompleteCounter extends ChannelInboundHandlerAdapter {
        int count;

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            count++;
            ctx.fireChannelReadComplete();
        }
    }
}
