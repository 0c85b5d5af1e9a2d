package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.bytes;
import static dev.hermod.internal.codec.CodecTesting.coder;
import static dev.hermod.internal.codec.CodecTesting.decode;
import static dev.hermod.internal.codec.CodecTesting.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.codec.ValueCoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A payload's decoded cost is checked before anything is decoded (issue 12). */
final class DecodeLimitsTest {

    record Point(int x, int y) {}

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** {@code [ {k0: 0, k1: 0, ...} ]}: one map of {@code keys} short distinct keys, plus leading entries. */
    static byte[] mapOf(int keys, byte[] leading, int leadingEntries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(keys * 7 + 16);
        out.write(0x81);
        head(out, 5, (long) keys + leadingEntries);
        out.writeBytes(leading);
        for (int i = 0; i < keys; i++) {
            byte[] k = Integer.toString(i, 36).getBytes(StandardCharsets.US_ASCII);
            head(out, 3, k.length);
            out.writeBytes(k);
            out.write(0);
        }
        return out.toByteArray();
    }

    static void head(ByteArrayOutputStream out, int major, long n) {
        int m = major << 5;
        if (n < 24) {
            out.write(m | (int) n);
        } else if (n < 0x100) {
            out.write(m | 24);
            out.write((int) n);
        } else if (n < 0x10000) {
            out.write(m | 25);
            out.writeBytes(ByteBuffer.allocate(2).putShort((short) n).array());
        } else {
            out.write(m | 26);
            out.writeBytes(ByteBuffer.allocate(4).putInt((int) n).array());
        }
    }

    /** Decodes and returns how many bytes the decoding thread allocated meanwhile, whatever the outcome. */
    private static long allocatedWhile(ValueCoder coder, byte[] payload) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            decode(coder, payload);
        } catch (IOException expected) {
            // what is measured is what the attempt cost
        }
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void decode_mapOfAMillionKeys_refusedBeforeAllocating() {
        ValueCoder coder = coder(new CodecTesting.TypeRef<Map<String, Integer>>() {}.type());
        byte[] payload = mapOf(1_000_000, new byte[0], 0);
        assertThat(payload.length).isLessThan(7 << 20);

        assertThatThrownBy(() -> decode(coder, payload)).isInstanceOf(DecodeLimits.Exceeded.class)
                .hasMessageContaining("would decode to more than 64 MiB");
        assertThat(allocatedWhile(coder, payload)).as("bytes allocated to refuse it").isLessThan(1 << 20);
    }

    @Test
    void decode_recordWithAMillionUnknownKeys_refusedBeforeAllocating() {
        ValueCoder coder = coder(Point.class);
        byte[] payload = mapOf(1_000_000, bytes(0x61, 'x', 0x01, 0x61, 'y', 0x02), 2);

        assertThatThrownBy(() -> decode(coder, payload)).isInstanceOf(DecodeLimits.Exceeded.class);
        assertThat(allocatedWhile(coder, payload)).as("bytes allocated to refuse it").isLessThan(1 << 20);
    }

    @Test
    void decode_largeButCheapValues_pass() throws IOException {
        ValueCoder bytes = coder(byte[].class);
        assertThat((byte[]) decode(bytes, encode(bytes, (Object) new byte[16 << 20]))[0]).hasSize(16 << 20);

        ValueCoder ints = coder(new CodecTesting.TypeRef<List<Integer>>() {}.type());
        List<Integer> million = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            million.add(i);
        }
        assertThat((List<?>) decode(ints, encode(ints, million))[0]).hasSize(1_000_000);

        ValueCoder map = coder(new CodecTesting.TypeRef<Map<String, Integer>>() {}.type());
        assertThat((Map<?, ?>) decode(map, mapOf(100_000, new byte[0], 0))[0]).hasSize(100_000);
    }

    @Test
    void check_estimateGrowsWithTheObjectsAPayloadMakes() throws IOException {
        long small = DecodeLimits.DEFAULT.check(ByteBuffer.wrap(mapOf(1_000, new byte[0], 0)));
        long large = DecodeLimits.DEFAULT.check(ByteBuffer.wrap(mapOf(100_000, new byte[0], 0)));
        assertThat(large).isBetween(90 * small, 110 * small);
        // a byte string costs its length, not more
        ValueCoder bytes = coder(byte[].class);
        long blob = DecodeLimits.DEFAULT.check(ByteBuffer.wrap(encode(bytes, (Object) new byte[1 << 20])));
        assertThat(blob).isBetween(1L << 20, (1L << 20) + 1024);
    }

    @Test
    void decode_tooManyItemsOrTooDeep_refusedWithTheirOwnMessages() {
        JacksonCodec strict = JacksonCodec.cbor(new DecodeLimits(64L << 20, 1_000, 10));
        ValueCoder ints = strict.coder(List.of(new CodecTesting.TypeRef<List<Integer>>() {}.type()));
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            many.add(i);
        }
        byte[] payload = encode(coder(new CodecTesting.TypeRef<List<Integer>>() {}.type()), many);
        assertThatThrownBy(() -> decode(ints, payload)).isInstanceOf(DecodeLimits.Exceeded.class)
                .hasMessage("the payload holds more than 1000 data items");

        ValueCoder nested = strict.coder(List.of(new CodecTesting.TypeRef<List<List<List<List<List<List<List<List<
                List<List<List<Integer>>>>>>>>>>>>() {}.type()));
        byte[] deep = new byte[14];
        java.util.Arrays.fill(deep, (byte) 0x81); // [[[[...
        deep[13] = 0x01;
        assertThatThrownBy(() -> decode(nested, deep)).isInstanceOf(DecodeLimits.Exceeded.class)
                .hasMessage("the payload exceeds the maximum nesting depth of 10");
    }

    @Test
    void check_indefiniteLengthsAndTags_areWalkedLikeTheirDefiniteForms() throws IOException {
        // [{_ "a": 1, "b": [_ 1, 2] }] with a tag on the first value: all items found, nothing misread
        byte[] payload = bytes(0x81, 0xBF, 0x61, 'a', 0xC1, 0x01, 0x61, 'b', 0x9F, 0x01, 0x02, 0xFF, 0xFF);
        long cost = DecodeLimits.DEFAULT.check(ByteBuffer.wrap(payload));
        assertThat(cost).isEqualTo(DecodeLimits.CONTAINER * 3L + DecodeLimits.SLOT * 3 + DecodeLimits.ENTRY * 2
                + (DecodeLimits.STRING + 2) * 2 + DecodeLimits.SCALAR * 3);
        JacksonCodec strict = JacksonCodec.cbor(new DecodeLimits(64L << 20, 7, 10));
        assertThatThrownBy(() -> strict.untypedCoder(1).decode(ByteBuffer.wrap(payload)))
                .isInstanceOf(DecodeLimits.Exceeded.class);
    }

    @Test
    void decode_malformedOrTruncated_leftToTheDecodersOwnMessages() {
        ValueCoder coder = coder(new CodecTesting.TypeRef<List<Integer>>() {}.type());
        // an array that claims a billion items and holds two
        assertThatThrownBy(() -> decode(coder, bytes(0x81, 0x9A, 0x3B, 0x9A, 0xCA, 0x00, 0x01, 0x02)))
                .isInstanceOf(IOException.class).isNotInstanceOf(DecodeLimits.Exceeded.class);
        assertThatThrownBy(() -> decode(coder, bytes(0x81, 0x5B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)))
                .isInstanceOf(IOException.class).isNotInstanceOf(DecodeLimits.Exceeded.class);
    }

    @Test
    void check_slicesOfHeapArraysAndDirectBuffers_walkTheSameBytes() throws IOException {
        // The walk reads a heap buffer's array where it lies (from its offset and position) and
        // copies a direct one: each sees exactly the payload, and nothing around it.
        byte[] indefinite = bytes(0x81, 0xBF, 0x61, 'a', 0xC1, 0x01, 0x61, 'b', 0x9F, 0x01, 0x02, 0xFF, 0xFF);
        DecodeLimits few = new DecodeLimits(64L << 20, 6, 10);
        for (byte[] payload : List.of(mapOf(1_000, new byte[0], 0), indefinite, mapOf(50, new byte[0], 0))) {
            long expected = DecodeLimits.DEFAULT.check(ByteBuffer.wrap(payload));
            byte[] around = new byte[payload.length + 7];
            java.util.Arrays.fill(around, (byte) 0xFF); // a break: wrong if read
            System.arraycopy(payload, 0, around, 5, payload.length);
            ByteBuffer slice = ByteBuffer.wrap(around, 2, payload.length + 3).slice().position(3);
            ByteBuffer direct = ByteBuffer.allocateDirect(payload.length + 4).position(4).put(payload).position(4);

            assertThat(DecodeLimits.DEFAULT.check(slice)).isEqualTo(expected);
            assertThat(DecodeLimits.DEFAULT.check(direct)).isEqualTo(expected);
            assertThat(slice.position()).isEqualTo(3);
            assertThat(direct.position()).isEqualTo(4);
            assertThatThrownBy(() -> few.check(slice)).isInstanceOf(DecodeLimits.Exceeded.class)
                    .hasMessage("the payload holds more than 6 data items");
            assertThatThrownBy(() -> few.check(direct)).isInstanceOf(DecodeLimits.Exceeded.class)
                    .hasMessage("the payload holds more than 6 data items");
        }
    }
}
