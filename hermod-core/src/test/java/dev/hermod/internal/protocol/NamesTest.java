package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The names of a connection's requests, read as {@link Wire#readStr16} reads them, and kept. */
class NamesTest {
    private final Names names = new Names();

    private static ByteBuf str16(byte[] utf8) {
        ByteBuf buf = Unpooled.directBuffer();
        buf.writeShort(utf8.length).writeBytes(utf8);
        return buf;
    }

    private static ByteBuf str16(String s) {
        return str16(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aNameReadAgain_isTheSameString_andTheBufferMovesPastIt() {
        ByteBuf first = str16("inventory").writeByte(7);
        ByteBuf second = str16("inventory");

        String a = names.read(first);
        String b = names.read(second);

        assertThat(a).isEqualTo("inventory");
        assertThat(b).isSameAs(a);
        assertThat(first.readByte()).isEqualTo((byte) 7);
        assertThat(second.isReadable()).isFalse();
    }

    @Test
    void manyNamesSharingTheirEnds_eachReadsAsItself() {
        // Same length, same first and last 8 bytes: they hash alike, and must still differ.
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            pool.add("dev.hermod." + (char) ('a' + i % 26) + (i / 26) + ".Service");
            pool.add("op" + i);
            pool.add("é" + i); // two-byte UTF-8
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            String name = pool.get(random.nextInt(pool.size()));
            ByteBuf in = str16(name);
            assertThat(names.read(in)).isEqualTo(name);
            assertThat(in.isReadable()).isFalse();
            in.release();
        }
    }

    @Test
    void aLongName_isReadWhole_andNotKept() {
        String longName = "x".repeat(Names.MAX_LENGTH + 1);

        String a = names.read(str16(longName));
        String b = names.read(str16(longName));

        assertThat(a).isEqualTo(longName);
        assertThat(b).isEqualTo(longName).isNotSameAs(a);
    }

    @Test
    void invalidUtf8_readsAsWireReadsIt() {
        byte[] invalid = {'a', (byte) 0xc3, 'b', (byte) 0xff};

        assertThat(names.read(str16(invalid))).isEqualTo(Wire.readStr16(str16(invalid)));
        assertThat(names.read(str16(invalid))).isEqualTo(Wire.readStr16(str16(invalid)));
    }

    @Test
    void aTruncatedName_isAProtocolViolation() {
        ByteBuf in = Unpooled.buffer().writeShort(10).writeBytes(new byte[] {'a', 'b'});

        assertThatThrownBy(() -> names.read(in)).isInstanceOf(ProtocolViolation.class);
        assertThatThrownBy(() -> names.read(Unpooled.buffer().writeByte(0))).isInstanceOf(ProtocolViolation.class);
    }
}
