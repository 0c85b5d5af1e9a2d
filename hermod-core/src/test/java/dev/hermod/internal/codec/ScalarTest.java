package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.RAW;
import static dev.hermod.internal.codec.CodecTesting.decode;
import static dev.hermod.internal.codec.CodecTesting.encode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The direct path for common scalar types: taken, and indistinguishable from Jackson's databind. */
class ScalarTest {

    private static final Type[] SCALARS = {byte[].class, String.class, int.class, Integer.class, long.class,
            Long.class, boolean.class, Boolean.class, double.class, Double.class};

    @Test
    void everyScalarType_takesTheDirectPath() {
        JacksonValueCoder coder = (JacksonValueCoder) CodecTesting.coder(SCALARS);
        for (int i = 0; i < SCALARS.length; i++) {
            assertThat(coder.scalar(i)).as("%s", SCALARS[i]).isNotNull();
        }
        JacksonValueCoder others = (JacksonValueCoder) CodecTesting.coder(float.class, java.time.Instant.class, BigInteger.class);
        assertThat(others.scalar(0)).isNull();
        assertThat(others.scalar(1)).isNull();
        assertThat(others.scalar(2)).isNull();
    }

    @Test
    void encoding_isByteForByteWhatJacksonWrites() throws IOException {
        Object[] values = {new byte[] {1, 2, 3}, "héllo", -7, Integer.MAX_VALUE, 1L << 40, -1L,
                true, Boolean.FALSE, 1.5, Double.NaN};
        byte[] direct = encode(CodecTesting.coder(SCALARS), values);

        assertThat(direct).isEqualTo(RAW.writeValueAsBytes(Arrays.asList(values)));
        Object[] back = decode(CodecTesting.coder(SCALARS), direct);
        assertThat(back).containsExactly(values);
    }

    static Stream<Arguments> inputs() {
        return Stream.of(
                Arguments.of(int.class, 1L << 40), // too large for an int
                Arguments.of(Integer.class, -5),
                Arguments.of(long.class, new BigInteger("123456789012345678901234567890")),
                Arguments.of(long.class, Long.MIN_VALUE),
                Arguments.of(double.class, 3), // an integer for a double
                Arguments.of(Double.class, new BigDecimal("1.25")),
                Arguments.of(double.class, 0.25f),
                Arguments.of(String.class, 42),
                Arguments.of(String.class, true),
                Arguments.of(boolean.class, 1),
                Arguments.of(byte[].class, "AQID"), // base64 text
                Arguments.of(byte[].class, List.of(1, 2, 3)),
                Arguments.of(String.class, List.of("a")),
                Arguments.of(Integer.class, null),
                Arguments.of(int.class, null));
    }

    /** Every token, suited or not, decodes to what the ObjectReader alone makes of it, or fails as it does. */
    @ParameterizedTest
    @MethodSource("inputs")
    void decoding_agreesWithTheObjectReader(Type type, Object value) throws IOException {
        byte[] one = RAW.writeValueAsBytes(value);
        byte[] array = RAW.writeValueAsBytes(Arrays.asList(value));
        ObjectReader reader = JacksonCodec.cbor().mapper().readerFor(RAW.constructType(type));

        Object expected;
        try {
            expected = reader.readValue(one);
        } catch (IOException | RuntimeException e) {
            expected = Failed.INSTANCE;
        }
        Object actual;
        try {
            actual = decode(CodecTesting.coder(type), array)[0];
        } catch (IOException | RuntimeException e) {
            actual = Failed.INSTANCE;
        }
        if (type == int.class && value == null) {
            expected = Failed.INSTANCE; // a null for a primitive: the coder refuses it before Jackson sees it
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void aMapperWithItsOwnSerializer_keepsIt() {
        CBORMapper custom = CBORMapper.builder().addModule(new SimpleModule()
                .addSerializer(String.class, new JsonSerializer<String>() {
                    @Override
                    public void serialize(String value, JsonGenerator g, SerializerProvider p) throws IOException {
                        g.writeString(value.toUpperCase(java.util.Locale.ROOT));
                    }
                })).build();

        assertThat(Scalar.of(custom, custom.constructType(String.class))).isNull();
        assertThat(Scalar.of(custom, custom.constructType(long.class))).isEqualTo(Scalar.LONG);
    }

    private enum Failed { INSTANCE }
}
