package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.bytes;
import static dev.hermod.internal.codec.CodecTesting.coder;
import static dev.hermod.internal.codec.CodecTesting.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.codec.ValueCoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The thread's reused parser ({@link Parsers}): message after message on one parser, each read
 * whole and alone, and a parser left in a bad state by a message never used again.
 */
class ParsersTest {

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    /** {@code bytes} at position 3 of a larger buffer, with unrelated bytes around them. */
    private static ByteBuffer inTheMiddle(byte[] bytes) {
        byte[] around = new byte[bytes.length + 6];
        Arrays.fill(around, (byte) 0x9f); // the start of an indefinite array: wrong if read
        System.arraycopy(bytes, 0, around, 3, bytes.length);
        return ByteBuffer.wrap(around, 3, bytes.length);
    }

    @Test
    void messagesOneAfterAnother_fromHeapAndDirectBuffers_eachDecodeAlone() throws IOException {
        ValueCoder coder = coder(int.class, String.class, byte[].class);
        for (int i = 0; i < 1_000; i++) {
            byte[] message = encode(coder, i, "call " + i, new byte[i % 40]);
            ByteBuffer in = switch (i % 3) {
                case 0 -> ByteBuffer.wrap(message);
                case 1 -> direct(message);
                default -> inTheMiddle(message);
            };
            int position = in.position();

            Object[] values = coder.decode(in);

            assertThat(values[0]).isEqualTo(i);
            assertThat(values[1]).isEqualTo("call " + i);
            assertThat((byte[]) values[2]).hasSize(i % 40);
            assertThat(in.position()).isEqualTo(position);
        }
    }

    @Test
    void theThreadsParser_keepsItsStringReferenceNamespacesInAStackWithoutLocks() throws Exception {
        com.fasterxml.jackson.core.JsonFactory factory = JacksonCodec.cbor().mapper().getFactory();
        Parsers.Held held = Parsers.lend(factory, ByteBuffer.wrap(bytes(0x80)), 1);
        try {
            // Fails if a Jackson upgrade moves the stack: the parser then works with its locks again.
            java.lang.reflect.Field namespaces = com.fasterxml.jackson.dataformat.cbor.CBORParser.class
                    .getDeclaredField("_stringRefs");
            namespaces.setAccessible(true);
            Object stack = namespaces.get(held.parser);
            java.lang.reflect.Field inner = stack.getClass().getDeclaredField("_stringRefs");
            inner.setAccessible(true);
            assertThat(inner.get(stack)).isInstanceOf(ThreadConfinedStack.class);
        } finally {
            Parsers.giveBack(held, false);
        }
    }

    @Test
    void messagesWithStringReferences_oneAfterAnother_decodeOnTheThreadsParser() throws IOException {
        // A peer's encoder may use CBOR string references (tags 256 and 25): each message opens
        // its namespace, and closes it, on the reused parser's stack.
        com.fasterxml.jackson.databind.ObjectMapper referencing = new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper(
                com.fasterxml.jackson.dataformat.cbor.CBORFactory.builder()
                        .enable(com.fasterxml.jackson.dataformat.cbor.CBORGenerator.Feature.STRINGREF).build());
        ValueCoder coder = coder(String.class, String.class, String[].class);
        for (int i = 0; i < 200; i++) {
            String word = "a word long enough to be referenced " + (i % 7);
            byte[] message = referencing.writeValueAsBytes(List.of(word, word, List.of(word, "x" + i, word)));
            assertThat(message).as("the encoder used a reference").hasSizeLessThan(3 * word.length());

            Object[] values = coder.decode(i % 2 == 0 ? ByteBuffer.wrap(message) : direct(message));

            assertThat(values[0]).isEqualTo(word);
            assertThat(values[1]).isEqualTo(word);
            assertThat((String[]) values[2]).containsExactly(word, "x" + i, word);
        }
    }

    @Test
    void largeMessagesWithStringReferences_decodeOnParsersOfTheirOwn() throws IOException {
        // Longer than the thread's parser takes: each gets a parser of its own, whose namespace
        // stack is also the one without locks; references nest in maps within the list.
        com.fasterxml.jackson.databind.ObjectMapper referencing = new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper(
                com.fasterxml.jackson.dataformat.cbor.CBORFactory.builder()
                        .enable(com.fasterxml.jackson.dataformat.cbor.CBORGenerator.Feature.STRINGREF).build());
        ValueCoder coder = coder(new CodecTesting.TypeRef<List<Map<String, String>>>() {}.type());
        for (int i = 0; i < 20; i++) {
            List<Map<String, String>> rows = new ArrayList<>();
            for (int r = 0; r < 300; r++) {
                rows.add(Map.of("department", "department " + (r % 5), "name", "employee " + r + "/" + i));
            }
            byte[] message = referencing.writeValueAsBytes(List.of(rows));
            assertThat(message.length).isGreaterThan(Parsers.MAX_REUSED_BYTES);

            Object[] values = coder.decode(i % 2 == 0 ? ByteBuffer.wrap(message) : direct(message));

            assertThat(values[0]).isEqualTo(rows);
        }
    }

    @Test
    void theThreadsParser_isLentAgainAfterAWholeMessage_andNotWhileBusy() throws IOException {
        com.fasterxml.jackson.core.JsonFactory factory = JacksonCodec.cbor().mapper().getFactory();
        ByteBuffer message = ByteBuffer.wrap(bytes(0x80)); // an empty array

        Parsers.Held first = Parsers.lend(factory, message, 1);
        assertThat(Parsers.lend(factory, message, 1)).as("busy: a nested message gets a fresh parser").isNull();
        first.parser.nextToken();
        first.parser.nextToken();
        assertThat(first.unread()).isZero();
        Parsers.giveBack(first, true);
        Parsers.Held second = Parsers.lend(factory, message, 1);
        Parsers.giveBack(second, false);
        Parsers.Held third = Parsers.lend(factory, message, 1);
        Parsers.giveBack(third, false);

        assertThat(second).isSameAs(first);
        assertThat(third).as("a parser given back as not reusable is dropped").isNotSameAs(second);
    }

    @Test
    void aMessageThatFails_leavesNothingBehind_forTheNextMessage() throws IOException {
        ValueCoder coder = coder(int.class, String.class);
        byte[] good = encode(coder, 7, "seven");
        List<byte[]> bad = List.of(
                Arrays.copyOf(good, good.length - 2), // truncated inside the text
                bytes(0x82, 0x01), // an array of 2 holding 1
                concat(good, bytes(0x01)), // a trailing byte
                concat(good, good), // a second message in the same bytes
                bytes(0x82, 0x01, 0x1c), // a reserved head
                bytes(0x83, 0x01, 0x60, 0x02), // 3 values where 2 are declared
                bytes());

        for (byte[] message : bad) {
            assertThatThrownBy(() -> coder.decode(ByteBuffer.wrap(message)))
                    .as("%s", Arrays.toString(message)).isInstanceOf(IOException.class);
            assertThat(coder.decode(ByteBuffer.wrap(good))).containsExactly(7, "seven");
        }
    }

    @Test
    void trailingBytes_areReportedAsSuch() throws IOException {
        ValueCoder coder = coder(int.class);
        byte[] good = encode(coder, 1);
        coder.decode(ByteBuffer.wrap(good)); // the thread's parser has read a message before

        assertThatThrownBy(() -> coder.decode(ByteBuffer.wrap(concat(good, bytes(0x01, 0x02)))))
                .hasMessageContaining("2 unexpected trailing bytes");
    }

    @Test
    void malformedInput_isPlacedWithinItsMessage_notWithinAllTheParserRead() throws IOException {
        ValueCoder coder = coder(int.class, int.class);
        for (int i = 0; i < 100; i++) {
            coder.decode(ByteBuffer.wrap(encode(coder, i, i)));
        }

        // The second value's head is 0x1c, reserved in CBOR, at byte 2 of the message.
        assertThatThrownBy(() -> coder.decode(ByteBuffer.wrap(bytes(0x82, 0x01, 0x1c))))
                .hasMessageContaining("(at byte 3)");
    }

    @Test
    void moreTokensOverAllMessagesThanOneMessageMayHold_areNoFailure() throws IOException {
        // At most 20 items a message: Jackson's token limit is 42, which the reused parser passes
        // within its first few messages.
        JacksonCodec codec = JacksonCodec.cbor(new DecodeLimits(1 << 20, 20, 10));
        ValueCoder coder = codec.coder(List.of(int[].class));
        int[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        byte[] message = encode(coder, (Object) values);
        for (int i = 0; i < 100; i++) {
            assertThat(coder.decode(ByteBuffer.wrap(message))[0]).isEqualTo(values);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
