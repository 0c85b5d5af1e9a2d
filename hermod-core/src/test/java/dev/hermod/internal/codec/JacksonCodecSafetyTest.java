package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.bytes;
import static dev.hermod.internal.codec.CodecTesting.cbor;
import static dev.hermod.internal.codec.CodecTesting.coder;
import static dev.hermod.internal.codec.CodecTesting.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator.Validity;
import dev.hermod.codec.ValueCoder;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The codec is the security boundary: nothing read from the wire may choose a class. */
final class JacksonCodecSafetyTest {

    static final AtomicInteger EVIL_INITIALIZED = new AtomicInteger();
    static final AtomicInteger EVIL_CONSTRUCTED = new AtomicInteger();

    /** A concrete base type whose author opted into class-name type ids. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
    public static class Shape {
        public String name;
    }

    /** A class a payload tries to make the server instantiate. */
    public static final class Evil extends Shape {
        static {
            EVIL_INITIALIZED.incrementAndGet();
        }

        public Evil() {
            EVIL_CONSTRUCTED.incrementAndGet();
        }
    }

    /** A class-name type id declared on a property rather than on the class. */
    public static final class Drawing {
        @JsonTypeInfo(use = JsonTypeInfo.Id.MINIMAL_CLASS)
        public List<Plain> shapes;
    }

    public static class Plain {
        public String name;
    }

    record Named(String name) {}

    /** Logical type names listed by the contract author are declared types, so they are allowed. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({@JsonSubTypes.Type(value = Circle.class, name = "circle")})
    public static class Figure {
        public String name;
    }

    public static final class Circle extends Figure {
        public double radius;
    }

    record Node(String label, List<Node> children) {}

    private static final String EVIL = Evil.class.getName(); // does not initialize Evil

    @BeforeEach
    void resetCounters() {
        EVIL_INITIALIZED.set(0);
        EVIL_CONSTRUCTED.set(0);
    }

    private static byte[] payloadNaming(String className) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("@class", className);
        value.put("name", "x");
        return cbor(value);
    }

    @Test
    void coder_classNameTypeIdOnClass_isRejected() {
        assertThatThrownBy(() -> coder(Shape.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot carry " + Shape.class.getName())
                .hasMessageContaining("type ids naming classes");
        assertThatThrownBy(() -> coder(new CodecTesting.TypeRef<List<Shape>>() {}.type()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void coder_classNameTypeIdOnProperty_isRejected() {
        assertThatThrownBy(() -> coder(Drawing.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot carry " + Drawing.class.getName());
    }

    @Test
    void readValue_payloadNamingAClass_failsWithoutLoadingIt() {
        // Even the codec's mapper used directly, bypassing coder(), refuses class names.
        ObjectMapper mapper = JacksonCodec.cbor().mapper();

        assertThatThrownBy(() -> mapper.readerFor(Shape.class).readValue(payloadNaming(EVIL)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> mapper.readerFor(Shape.class).readValue(payloadNaming("java.lang.ProcessBuilder")))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> mapper.readerFor(Drawing.class)
                        .readValue(cbor(Map.of("shapes", List.of(List.of(EVIL, Map.of("name", "x")))))))
                .isInstanceOf(IOException.class);

        assertThat(EVIL_CONSTRUCTED).hasValue(0);
        assertThat(EVIL_INITIALIZED).hasValue(0);
    }

    @Test
    void decode_payloadNamingAClassForAPlainType_ignoresTheName() throws IOException {
        Object[] decoded = decode(coder(Named.class), cbor(List.of(Map.of("@class", EVIL, "name", "x"))));

        assertThat(decoded).containsExactly(new Named("x"));
        assertThat(EVIL_CONSTRUCTED).hasValue(0);
        assertThat(EVIL_INITIALIZED).hasValue(0);
    }

    @Test
    void typeValidator_deniesEverything() throws Exception {
        ObjectMapper mapper = JacksonCodec.cbor().mapper();
        JavaType shape = mapper.constructType(Shape.class);

        assertThat(mapper.getPolymorphicTypeValidator()).isSameAs(JacksonCodec.DenyAllTypeValidator.INSTANCE);
        assertThat(JacksonCodec.DenyAllTypeValidator.INSTANCE.validateBaseType(mapper.getDeserializationConfig(), shape))
                .isEqualTo(Validity.DENIED);
        assertThat(JacksonCodec.DenyAllTypeValidator.INSTANCE
                        .validateSubClassName(mapper.getDeserializationConfig(), shape, EVIL))
                .isEqualTo(Validity.DENIED);
        assertThat(JacksonCodec.DenyAllTypeValidator.INSTANCE.validateSubType(
                        mapper.getDeserializationConfig(), shape, mapper.constructType(Shape.class)))
                .isEqualTo(Validity.DENIED);
    }

    @Test
    void decode_declaredLogicalSubtypeNames_areAllowed() throws IOException {
        ValueCoder coder = coder(Figure.class);
        Circle circle = new Circle();
        circle.name = "c";
        circle.radius = 2;

        Object decoded = CodecTesting.roundTrip(coder, circle)[0];

        assertThat(decoded).isInstanceOf(Circle.class);
        assertThat(((Circle) decoded).radius).isEqualTo(2);
        assertThatThrownBy(() -> decode(coder, cbor(List.of(Map.of("@type", EVIL)))))
                .isInstanceOf(IOException.class);
        assertThat(EVIL_INITIALIZED).hasValue(0);
    }

    @Test
    void decode_deeplyNestedPayload_throwsIOException() {
        // [{"children": [{"children": [ ... {} ... ]}]}], 5000 levels deep, written by hand since
        // Jackson itself refuses to write it.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x81);
        for (int i = 0; i < 5000; i++) {
            out.writeBytes(bytes(0xa1, 0x68, 'c', 'h', 'i', 'l', 'd', 'r', 'e', 'n', 0x81));
        }
        out.write(0xa0);
        byte[] deep = out.toByteArray();

        assertThatThrownBy(() -> decode(coder(Node.class), deep))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void decode_lengthClaimLargerThanInput_throwsWithoutAllocatingIt() {
        // A byte string claiming 2^31 - 1 bytes (0x5a + 4-byte length), followed by three bytes.
        byte[] claim = bytes(0x81, 0x5a, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3);

        assertThatThrownBy(() -> decode(coder(byte[].class), claim)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> coder(byte[].class)
                        .decode(java.nio.ByteBuffer.allocateDirect(claim.length).put(claim).flip()))
                .isInstanceOf(IOException.class);
        // An array header claiming 2^32 items.
        assertThatThrownBy(() -> decode(coder(int.class), bytes(0x9b, 0, 0, 0, 1, 0, 0, 0, 0)))
                .isInstanceOf(IOException.class);
    }
}
