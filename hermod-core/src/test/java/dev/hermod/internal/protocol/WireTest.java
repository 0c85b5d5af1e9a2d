package dev.hermod.internal.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Wire#writeStr16}: a u16 byte length and the UTF-8 bytes, the same whether the string is
 * ASCII (written into a heap buffer's array directly) or not, and whatever the buffer.
 */
class WireTest {

    /** What section 3 of PROTOCOL.md says a str16 is, built independently. */
    private static byte[] expected(String s) {
        byte[] utf8 = s.getBytes(UTF_8);
        byte[] out = new byte[2 + utf8.length];
        out[0] = (byte) (utf8.length >>> 8);
        out[1] = (byte) utf8.length;
        System.arraycopy(utf8, 0, out, 2, utf8.length);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "echo", "dev.hermod.Employees", "caf\u00e9", "echo\u00ff", "na\u00efve-\u4e2d\u6587",
            "\ud83d\ude80 rocket", "x\u007f"})
    void str16_isTheLengthAndTheUtf8Bytes_onTheHeapAndOff_andReadsBack(String s) {
        for (ByteBuf buf : new ByteBuf[] {Unpooled.buffer(1), Unpooled.directBuffer(1),
                Unpooled.buffer(64).writerIndex(7).readerIndex(7), // not at the array's start
                Unpooled.wrappedBuffer(new byte[80], 5, 70).clear()}) { // an offset into its array
            try {
                int start = buf.writerIndex();
                Wire.writeStr16(buf, s);

                assertThat(ByteBufUtil.getBytes(buf, start, buf.writerIndex() - start)).isEqualTo(expected(s));
                assertThat(Wire.readStr16(buf)).isEqualTo(s);
                assertThat(buf.isReadable()).isFalse();
            } finally {
                buf.release();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1023, 1024, 1025, 70_000})
    void longStrings_ASCIIOrNot_areWrittenTheSame(int length) {
        String ascii = "a".repeat(length);
        String other = "a".repeat(length - 1) + "\u00e9";
        for (String s : new String[] {ascii, other}) {
            ByteBuf buf = Unpooled.buffer(4);
            try {
                Wire.writeStr16(buf, s);
                byte[] e = expected(s);
                if (e.length - 2 > 0xFFFF) { // cut at 65,535 bytes, as documented
                    assertThat(buf.readUnsignedShort()).isEqualTo(0xFFFF);
                    assertThat(buf.readableBytes()).isEqualTo(0xFFFF);
                } else {
                    assertThat(ByteBufUtil.getBytes(buf)).isEqualTo(e);
                }
            } finally {
                buf.release();
            }
        }
    }
}
