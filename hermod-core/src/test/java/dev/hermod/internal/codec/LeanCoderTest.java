package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.coder;
import static dev.hermod.internal.codec.CodecTesting.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hermod.codec.ValueCoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default coder's lean paths decode and encode exactly what the SPI's paths do: messages
 * within a larger array, one value without an array around it, limits and malformed input
 * refused alike; and a frame's reused output stream survives an encoding within an encoding.
 */
final class LeanCoderTest {

    /** Bytes of {@code message} at offset 5 of a larger array, with junk around them. */
    private static byte[] within(byte[] message) {
        byte[] around = new byte[message.length + 9];
        Arrays.fill(around, (byte) 0xFF); // a CBOR "break": any byte read outside the range fails the decode
        System.arraycopy(message, 0, around, 5, message.length);
        return around;
    }

    @Test
    void decodeSized_fromARangeOfAnArray_equalsTheBufferDecode_forSmallAndLargeMessages() throws IOException {
        LeanCoder coder = (LeanCoder) coder(int.class, String.class, byte[].class);
        for (int size : new int[] {0, 40, Parsers.MAX_REUSED_BYTES + 100, 0}) { // the thread's parser, then a fresh one
            byte[] message = encode((ValueCoder) coder, size, "call " + size, new byte[size]);
            byte[] around = within(message);

            assertThat(coder.decodedSize(around, 5, message.length)).isEqualTo(coder.decodedSize(ByteBuffer.wrap(message)));
            Object[] values = coder.decodeSized(around, 5, message.length);
            assertThat(values).hasSize(3);
            assertThat(values[0]).isEqualTo(size);
            assertThat(values[1]).isEqualTo("call " + size);
            assertThat((byte[]) values[2]).hasSize(size);
        }
    }

    @Test
    void isOneString_acceptsByteAndTextStringsOfDefiniteLengthThatEndTheMessage_only() throws IOException {
        LeanCoder bytes = (LeanCoder) coder(byte[].class);
        for (int size : new int[] {0, 23, 24, 255, 256, 65_535, 65_536, 100_000}) { // each length header
            byte[] message = encode((ValueCoder) bytes, (Object) new byte[size]);
            assertThat(bytes.isOneString(within(message), 5, message.length)).as("%d bytes", size).isTrue();
            assertThat(bytes.isOneString(within(message), 5, message.length - 1)).as("cut short").isFalse();
            assertThat(bytes.isOneString(within(message), 5, message.length + 1)).as("with a byte after").isFalse();
        }
        LeanCoder text = (LeanCoder) coder(String.class);
        byte[] shortText = encode((ValueCoder) text, "a".repeat(1000));
        assertThat(text.isOneString(shortText, 0, shortText.length)).isTrue();
        // Jackson writes a long String in chunks, of indefinite length: walked, so not "one string" here.
        byte[] longText = encode((ValueCoder) text, "a".repeat(100_000));
        assertThat(text.isOneString(longText, 0, longText.length)).isFalse();
        byte[] number = encode((ValueCoder) coder(int.class), 7);
        assertThat(bytes.isOneString(number, 0, number.length)).isFalse();
        byte[] nested = {(byte) 0x81, (byte) 0x81, 0x40}; // [[h'']]
        assertThat(bytes.isOneString(nested, 0, nested.length)).isFalse();
        byte[] twoValues = encode((ValueCoder) coder(byte[].class, byte[].class), new byte[3], new byte[3]);
        assertThat(bytes.isOneString(twoValues, 0, twoValues.length)).isFalse();
        byte[] hugeHeader = {(byte) 0x81, 0x5B, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, (byte) 0xFF, (byte) 0xF0}; // an 8-byte length beyond any array
        assertThat(bytes.isOneString(hugeHeader, 0, hugeHeader.length)).isFalse();
        assertThat(bytes.isOneString(new byte[] {(byte) 0x81}, 0, 1)).isFalse();
    }

    @Test
    void decodeOne_returnsTheValue_andRefusesWhatTheBufferDecodeRefuses() throws IOException {
        LeanCoder result = (LeanCoder) coder(String.class);
        byte[] message = encode((ValueCoder) result, "the result");
        assertThat(result.decodeOne(within(message), 5, message.length)).isEqualTo("the result");

        byte[] trailing = Arrays.copyOf(message, message.length + 1); // a 0 after the array
        assertThatThrownBy(() -> result.decodeOne(trailing, 0, trailing.length)).isInstanceOf(IOException.class)
                .hasMessageContaining("trailing");
        byte[] twoValues = encode(coder(String.class, String.class), "a", "b");
        assertThatThrownBy(() -> result.decodeOne(twoValues, 0, twoValues.length)).isInstanceOf(IOException.class)
                .hasMessage("expected 1 value, got 2");
        LeanCoder two = (LeanCoder) coder(String.class, String.class);
        assertThatThrownBy(() -> two.decodeOne(twoValues, 0, twoValues.length))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void decodeOne_pastTheLimits_isRefusedBeforeDecoding() {
        JacksonCodec strict = JacksonCodec.cbor(new DecodeLimits(64L << 20, 1_000, 10));
        java.lang.reflect.Type listOfInts = new CodecTesting.TypeRef<List<Integer>>() {}.type();
        LeanCoder ints = (LeanCoder) strict.coder(List.of(listOfInts));
        List<Integer> many = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            many.add(i);
        }
        byte[] payload = encode(coder(listOfInts), many);

        assertThatThrownBy(() -> ints.decodeOne(within(payload), 5, payload.length))
                .isInstanceOf(DecodeLimits.Exceeded.class).hasMessage("the payload holds more than 1000 data items");
        assertThatThrownBy(() -> ints.decodedSize(within(payload), 5, payload.length))
                .isInstanceOf(DecodeLimits.Exceeded.class);
    }

    @Test
    void encodeOne_writesWhatEncodingAnArrayOfTheValueWrites() throws IOException {
        ValueCoder result = coder(new CodecTesting.TypeRef<List<String>>() {}.type());
        ByteBuf frame = Unpooled.buffer().writeByte(42); // bytes before: appended to, not overwritten
        FrameOutput.encodeOne(result, List.of("a", "b"), frame);

        assertThat(frame.readByte()).isEqualTo((byte) 42);
        assertThat(ByteBufUtil.getBytes(frame)).isEqualTo(encode(result, List.of("a", "b")));
        assertThatThrownBy(() -> FrameOutput.encodeOne(coder(int.class, int.class), 1, Unpooled.buffer()))
                .isInstanceOf(IllegalStateException.class);
    }

    /** Encodes its name through {@link FrameOutput} into {@link #inner} while it is itself being encoded. */
    @JsonSerialize(using = Nested.Serializer.class)
    record Nested(String name) {
        static final ByteBuf inner = Unpooled.buffer();

        static final class Serializer extends JsonSerializer<Nested> {
            @Override
            public void serialize(Nested value, JsonGenerator generator, SerializerProvider provider) throws IOException {
                FrameOutput.encode(coder(String.class), new Object[] {value.name()}, inner);
                generator.writeString(value.name());
            }
        }
    }

    @Test
    void anEncodingWithinAnEncodingOnTheSameThread_writesEachIntoItsOwnFrame() throws IOException {
        ValueCoder outer = coder(Nested.class, String.class);
        ByteBuf frame = Unpooled.buffer();
        FrameOutput.encode(outer, new Object[] {new Nested("inside"), "after"}, frame);

        assertThat(ByteBufUtil.getBytes(Nested.inner)).isEqualTo(encode(coder(String.class), "inside"));
        assertThat(ByteBufUtil.getBytes(frame)).isEqualTo(encode(coder(String.class, String.class), "inside", "after"));
        ByteBuf again = Unpooled.buffer(); // the thread's stream is lent again, to the next message
        FrameOutput.encode(outer, new Object[] {new Nested("x"), "y"}, again);
        assertThat(ByteBufUtil.getBytes(again)).isEqualTo(encode(coder(String.class, String.class), "x", "y"));
    }

    /** An application's coder that keeps the stream it was given. */
    private static final class Keeping implements ValueCoder {
        OutputStream kept;

        @Override
        public void encode(Object[] values, OutputStream out) throws IOException {
            kept = out;
            out.write((Integer) values[0]);
        }

        @Override
        public Object[] decode(ByteBuffer in) {
            return new Object[] {(int) in.get()};
        }
    }

    @Test
    void anApplicationsCoder_getsAStreamOfItsOwn_thatOutlivesTheMessage() throws IOException {
        Keeping coder = new Keeping();
        ByteBuf first = Unpooled.buffer();
        FrameOutput.encodeOne(coder, 7, first);
        FrameOutput.encode(coder(String.class), new Object[] {"next"}, Unpooled.buffer()); // reuses the thread's stream
        coder.kept.write(8); // still the first frame's

        assertThat(ByteBufUtil.getBytes(first)).containsExactly(7, 8);
    }

    /** Only scalars read by Jackson's standard deserializers, and void, are decoded where no user code may run. */
    @Test
    void decodesWithoutUserCode_onlyScalarsAndVoid() {
        assertThat(((LeanCoder) coder(String.class)).decodesWithoutUserCode()).isTrue();
        assertThat(((LeanCoder) coder(byte[].class)).decodesWithoutUserCode()).isTrue();
        assertThat(((LeanCoder) coder(int.class, Long.class, boolean.class, double.class)).decodesWithoutUserCode())
                .isTrue();
        assertThat(((LeanCoder) coder(void.class)).decodesWithoutUserCode()).isTrue();

        assertThat(((LeanCoder) coder(new CodecTesting.TypeRef<List<String>>() {}.type())).decodesWithoutUserCode())
                .as("a collection: Jackson's databind").isFalse();
        assertThat(((LeanCoder) coder(Nested.class)).decodesWithoutUserCode()).as("a record: its constructor").isFalse();
        assertThat(((LeanCoder) coder(String.class, Nested.class)).decodesWithoutUserCode()).isFalse();
        assertThat(((LeanCoder) coder(ByteBuffer.class)).decodesWithoutUserCode()).isFalse();
    }
}
