package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * BATCH frames as {@link BatchFrames} writes and checks them: a frame it built passes its check
 * and reads back item by item, in every kind of buffer a frame arrives in, and each malformation
 * is refused with a {@link ProtocolViolation} that says what is wrong.
 */
final class BatchFramesTest {

    /** A BATCH body (after length prefix, type and flags) of {@code items} requests, each with a payload. */
    private static byte[] body(int items) {
        ByteBuf frame = BatchFrames.beginBatch(UnpooledByteBufAllocator.DEFAULT, 256);
        for (int i = 0; i < items; i++) {
            int at = BatchFrames.beginBatchItem(frame, i % 2 == 0 ? Wire.FLAG_ONEWAY : 0);
            Frames.writeRequestHeader(frame, i + 1, 30_000, "svc", "op" + i, i == 1 ? Map.of("k", "v") : Map.of());
            frame.writeBytes(new byte[] {(byte) 0x81, (byte) i});
            BatchFrames.endBatchItem(frame, at);
        }
        BatchFrames.endBatch(frame, items);
        frame.skipBytes(Wire.LENGTH_PREFIX + Wire.FRAME_HEADER);
        byte[] body = new byte[frame.readableBytes()];
        frame.readBytes(body);
        frame.release();
        return body;
    }

    /** The kinds of buffer a body is checked in: heap, direct, and a heap slice whose array starts earlier. */
    private static List<Function<byte[], ByteBuf>> kinds() {
        List<Function<byte[], ByteBuf>> kinds = new ArrayList<>();
        kinds.add(Unpooled::wrappedBuffer);
        kinds.add(b -> Unpooled.directBuffer(b.length).writeBytes(b));
        kinds.add(b -> {
            ByteBuf whole = Unpooled.buffer(b.length + 10).writeBytes(new byte[7]).writeBytes(b).writeBytes(new byte[3]);
            return whole.slice(7, b.length);
        });
        kinds.add(b -> CallerBuffers.INSTANCE.buffer(b.length).writeBytes(b));
        return kinds;
    }

    @Test
    void aBatchItBuilt_passesTheCheck_andReadsBackItemByItem_inEveryKindOfBuffer() {
        byte[] body = body(3);
        for (Function<byte[], ByteBuf> kind : kinds()) {
            ByteBuf buf = kind.apply(body);
            assertThat(BatchFrames.checkBatch(buf)).isEqualTo(3);
            assertThat(buf.readerIndex()).as("left at the first item").isEqualTo(4);
            for (int i = 0; i < 3; i++) {
                BatchFrames.BatchItem item = BatchFrames.nextBatchItem(buf);
                assertThat(item.flags()).isEqualTo(i % 2 == 0 ? Wire.FLAG_ONEWAY : 0);
                Frames.RequestHeader header = Frames.readRequest(item.body());
                assertThat(header.requestId()).isEqualTo(i + 1);
                assertThat(header.operation()).isEqualTo("op" + i);
            }
            assertThat(buf.isReadable()).isFalse();
            buf.release();
        }
    }

    @Test
    void malformedBatches_areRefusedWithWhatIsWrong_inEveryKindOfBuffer() {
        byte[] good = body(2);
        int firstLength = (good[5] & 0xFF) << 24 | (good[6] & 0xFF) << 16 | (good[7] & 0xFF) << 8 | good[8] & 0xFF;
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {new byte[] {0, 0}, "batch item count needs 4 bytes, 2 left"});
        byte[] moreItems = good.clone();
        moreItems[3] = 3; // three items announced, two present
        cases.add(new Object[] {moreItems, "batch item header needs 5 bytes, 0 left"});
        byte[] fewerItems = good.clone();
        fewerItems[3] = 1;
        cases.add(new Object[] {fewerItems, (good.length - 4 - 5 - firstLength) + " bytes after the last batch item"});
        byte[] tooLong = good.clone();
        tooLong[8] = (byte) 0xF0; // the first item claims far more than the frame holds
        cases.add(new Object[] {tooLong, "batch item 0 claims"});
        byte[] badString = good.clone();
        badString[4 + 5 + 8] = (byte) 0x7F; // the first item's service name claims 32 KiB
        cases.add(new Object[] {badString, "string needs"});
        for (Object[] c : cases) {
            for (Function<byte[], ByteBuf> kind : kinds()) {
                ByteBuf buf = kind.apply((byte[]) c[0]);
                assertThatThrownBy(() -> BatchFrames.checkBatch(buf)).isInstanceOf(ProtocolViolation.class)
                        .hasMessageContaining((String) c[1]);
                buf.release();
            }
        }
    }

    @Test
    void theHeaderCheck_walksEachItemsContext() {
        byte[] body = body(2); // the second item carries one context entry, its first item none
        int second = 4 + 5 + ((body[5] & 0xFF) << 24 | (body[6] & 0xFF) << 16 | (body[7] & 0xFF) << 8 | body[8] & 0xFF);
        int contextCount = second + 5 + 8 + 2 + 3 + 2 + 3; // flags and length, id and timeout, "svc", "op1"
        assertThat(body[contextCount + 1]).as("the second item's context size").isEqualTo((byte) 1);
        body[contextCount + 1] = 2; // two entries announced, one present
        for (Function<byte[], ByteBuf> kind : kinds()) {
            ByteBuf buf = kind.apply(body);
            assertThatThrownBy(() -> BatchFrames.checkBatch(buf)).isInstanceOf(ProtocolViolation.class)
                    .hasMessageContaining("truncated frame: string needs"); // the payload read as a key
            buf.release();
        }
    }
}
