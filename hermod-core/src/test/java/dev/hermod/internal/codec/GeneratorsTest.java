package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.RAW;
import static dev.hermod.internal.codec.CodecTesting.decode;
import static dev.hermod.internal.codec.CodecTesting.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.hermod.codec.ValueCoder;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The generator a thread reuses from message to message: every message comes out as a fresh
 * generator would write it, also after a message that failed half-way and for a message encoded
 * while another is being written on the same thread.
 */
class GeneratorsTest {

    /** A value whose serialization fails half-way through a message when {@code n} is negative. */
    record Fragile(int n) {
        @Override
        public int n() {
            if (n < 0) {
                throw new IllegalStateException("cannot serialize " + n);
            }
            return n;
        }
    }

    /** A value whose serialization encodes another message on the same thread. */
    record Nesting(int n) {
        static final AtomicReference<byte[]> INNER = new AtomicReference<>();

        @Override
        public int n() {
            INNER.set(encode(CodecTesting.coder(String.class, int.class), "inner", n));
            return n;
        }
    }

    @Test
    void manyMessagesOnOneThread_eachAsAFreshGeneratorWritesIt() throws Exception {
        ValueCoder coder = CodecTesting.coder(String.class, Fragile.class,
                new CodecTesting.TypeRef<List<Integer>>() {}.type(), new CodecTesting.TypeRef<Map<String, Integer>>() {}.type());
        List<byte[]> written = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            written.add(encode(coder, "message " + i, new Fragile(i), List.of(i, i + 1), Map.of("k", i)));
        }

        for (int i = 0; i < 50; i++) {
            assertThat(written.get(i)).isEqualTo(RAW.writeValueAsBytes(
                    List.of("message " + i, new Fragile(i), List.of(i, i + 1), Map.of("k", i))));
            assertThat(decode(coder, written.get(i))[1]).isEqualTo(new Fragile(i));
        }
    }

    @Test
    void aMessageFailingHalfWay_leavesNothingBehindForTheNext() throws Exception {
        ValueCoder coder = CodecTesting.coder(Fragile.class, Fragile.class, Fragile.class);
        encode(coder, new Fragile(1), new Fragile(2), new Fragile(3)); // the thread now has a generator

        assertThatThrownBy(() -> encode(coder, new Fragile(1), new Fragile(-1), new Fragile(3)))
                .isInstanceOf(UncheckedIOException.class).hasRootCauseInstanceOf(IllegalStateException.class);

        byte[] next = encode(coder, new Fragile(4), new Fragile(5), new Fragile(6));
        assertThat(next).isEqualTo(RAW.writeValueAsBytes(List.of(new Fragile(4), new Fragile(5), new Fragile(6))));
    }

    @Test
    void aMessageEncodedWhileAnotherIsWritten_bothComeOutWhole() throws Exception {
        ValueCoder coder = CodecTesting.coder(String.class, Nesting.class, String.class);

        byte[] outer = encode(coder, "before", new Nesting(7), "after");

        assertThat(outer).isEqualTo(RAW.writeValueAsBytes(List.of("before", Map.of("n", 7), "after")));
        assertThat(Nesting.INNER.get()).isEqualTo(RAW.writeValueAsBytes(List.of("inner", 7)));
    }

    @Test
    void onAVirtualThread_messagesComeOutTheSame() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21");
        ValueCoder coder = CodecTesting.coder(String.class, Fragile.class);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null,
                (Runnable) () -> {
                    try {
                        result.set(encode(coder, "virtual", new Fragile(3)));
                    } catch (RuntimeException e) {
                        result.set(e);
                    }
                });
        t.join();

        assertThat(result.get()).isEqualTo(RAW.writeValueAsBytes(List.of("virtual", new Fragile(3))));
    }

    @Test
    void twoMappersOnOneThread_eachGetsItsOwnSettings() throws JsonProcessingException {
        // A second codec with other limits has its own mapper and factory: alternating between
        // them on one thread must not write one's message with the other's generator.
        ValueCoder first = CodecTesting.coder(String.class);
        ValueCoder second = JacksonCodec.cbor(new DecodeLimits(1L << 20, 10_000, 100)).coder(List.of(String.class));
        for (int i = 0; i < 5; i++) {
            assertThat(encode(first, "a" + i)).isEqualTo(RAW.writeValueAsBytes(List.of("a" + i)));
            assertThat(encode(second, "b" + i)).isEqualTo(RAW.writeValueAsBytes(List.of("b" + i)));
        }
    }
}
