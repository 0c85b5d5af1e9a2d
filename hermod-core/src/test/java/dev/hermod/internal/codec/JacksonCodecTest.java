package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.bytes;
import static dev.hermod.internal.codec.CodecTesting.cbor;
import static dev.hermod.internal.codec.CodecTesting.coder;
import static dev.hermod.internal.codec.CodecTesting.decode;
import static dev.hermod.internal.codec.CodecTesting.encode;
import static dev.hermod.internal.codec.CodecTesting.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.codec.CodecTesting.TypeRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

// One file, longer than most: the codec's contract type by type (section 17.4 of PROTOCOL.md), in
// the table's order, so that a gap in the table shows as a gap here.
final class JacksonCodecTest {

    enum Color { RED, GREEN, BLUE }

    record Employee(String name, int number, Color color) {}

    record Team(String name, Employee lead, List<Employee> members, Map<Color, Employee> byColor) {}

    record Page<T>(List<T> items, int total) {}

    record Node(String label, List<Node> children) {}

    record EmployeeV2(String name, int number, Color color, String nickname, List<String> tags) {}

    record Empty() {}

    record WithOptional(String name, Optional<String> nickname) {}

    /** A plain bean: public no-argument constructor, getters and setters. */
    public static class Address {
        private String street;
        private int zip;
        private List<String> lines = new ArrayList<>();

        public Address() {
        }

        Address(String street, int zip, List<String> lines) {
            this.street = street;
            this.zip = zip;
            this.lines = lines;
        }

        public String getStreet() {
            return street;
        }

        public void setStreet(String street) {
            this.street = street;
        }

        public int getZip() {
            return zip;
        }

        public void setZip(int zip) {
            this.zip = zip;
        }

        public List<String> getLines() {
            return lines;
        }

        public void setLines(List<String> lines) {
            this.lines = lines;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Address a && Objects.equals(street, a.street) && zip == a.zip
                    && Objects.equals(lines, a.lines);
        }

        @Override
        public int hashCode() {
            return Objects.hash(street, zip, lines);
        }

        @Override
        public String toString() {
            return "Address[" + street + ", " + zip + ", " + lines + "]";
        }
    }

    /** A bean whose getter fails. */
    public static final class Faulty {
        public String getValue() {
            throw new IllegalStateException("getter exploded");
        }

        public void setValue(String value) {
        }
    }

    /** No usable constructor: Jackson cannot create it. */
    public static final class NoConstructor {
        private final String a;
        private final String b;

        public NoConstructor(String a, String b) {
            this.a = a;
            this.b = b;
        }

        public String getA() {
            return a;
        }

        public String getB() {
            return b;
        }
    }

    /** State without any visible property: it would silently encode as an empty map. */
    public static final class Opaque {
        private int secret;

        public Opaque() {
        }
    }

    /** A bean with an untyped property. */
    public static final class Untyped {
        private Object payload;

        public Object getPayload() {
            return payload;
        }

        public void setPayload(Object payload) {
            this.payload = payload;
        }
    }

    record WithObject(String name, Object payload) {}

    record WithNestedObject(String name, List<Map<String, Object>> rows) {}

    record WithRawList(@SuppressWarnings("rawtypes") List items) {}

    record WithInterface(Serializable value) {}

    abstract static class Animal {
        public String name;
    }

    /** Declares type variables, for the type-variable rejection test. */
    interface Generic<T> {
        T get();
    }

    private static final Employee ALICE = new Employee("Alice", 1, Color.RED);
    private static final Employee BOB = new Employee("Bob", 2, Color.BLUE);

    static Stream<Arguments> roundTrips() {
        return Stream.of(
                arguments(boolean.class, true),
                arguments(byte.class, (byte) -7),
                arguments(short.class, (short) 31000),
                arguments(int.class, Integer.MIN_VALUE),
                arguments(long.class, Long.MAX_VALUE),
                arguments(float.class, 1.5f),
                arguments(double.class, Math.PI),
                arguments(char.class, 'x'),
                arguments(Boolean.class, false),
                arguments(Byte.class, Byte.MAX_VALUE),
                arguments(Short.class, Short.MIN_VALUE),
                arguments(Integer.class, 42),
                arguments(Long.class, -1L),
                arguments(Float.class, Float.MAX_VALUE),
                arguments(Double.class, -0.25),
                arguments(Character.class, '\u00e9'),
                arguments(String.class, "h\u00e9llo, w\u00f6rld \uD83D\uDE00"),
                arguments(String.class, ""),
                arguments(byte[].class, bytes(0, 1, 2, 0xff)),
                arguments(byte[].class, new byte[0]),
                arguments(Color.class, Color.GREEN),
                arguments(Employee.class, ALICE),
                arguments(Team.class, new Team("core", ALICE, List.of(ALICE, BOB), Map.of(Color.BLUE, BOB))),
                arguments(new TypeRef<Page<Employee>>() {}.type(), new Page<>(List.of(BOB), 1)),
                arguments(Node.class, new Node("root", List.of(new Node("leaf", List.of())))),
                arguments(Empty.class, new Empty()),
                arguments(Address.class, new Address("Main St", 12345, List.of("a", "b"))),
                arguments(new TypeRef<List<Employee>>() {}.type(), List.of(ALICE, BOB)),
                arguments(new TypeRef<Set<String>>() {}.type(), Set.of("a", "b", "c")),
                arguments(new TypeRef<Map<String, List<Integer>>>() {}.type(),
                        Map.of("odd", List.of(1, 3), "even", List.of(2))),
                arguments(new TypeRef<Map<Color, Integer>>() {}.type(), Map.of(Color.RED, 1, Color.BLUE, 3)),
                arguments(new TypeRef<Map<Integer, String>>() {}.type(), Map.of(1, "one", -20, "minus twenty")),
                arguments(new TypeRef<Map<Long, Employee>>() {}.type(), Map.of(7L, ALICE)),
                arguments(new TypeRef<Collection<String>>() {}.type(), List.of("x", "y")),
                arguments(new TypeRef<SortedSet<Integer>>() {}.type(), new TreeSet<>(List.of(3, 1, 2))),
                arguments(new TypeRef<SortedMap<String, Integer>>() {}.type(), new TreeMap<>(Map.of("b", 2, "a", 1))),
                arguments(new TypeRef<Optional<String>>() {}.type(), Optional.of("present")),
                arguments(new TypeRef<Optional<String>>() {}.type(), Optional.empty()),
                arguments(new TypeRef<Optional<Employee>>() {}.type(), Optional.of(ALICE)),
                arguments(OptionalInt.class, OptionalInt.of(5)),
                arguments(int[].class, new int[] {1, -2, 3}),
                arguments(long[][].class, new long[][] {{1L}, {2L, 3L}}),
                arguments(String[].class, new String[] {"a", null, "c"}),
                arguments(Employee[].class, new Employee[] {ALICE, BOB}),
                arguments(new TypeRef<List<String>[]>() {}.type(), new List<?>[] {List.of("a")}),
                arguments(Instant.class, Instant.parse("2024-02-29T12:34:56.789012345Z")),
                arguments(Duration.class, Duration.ofSeconds(3723, 5)),
                arguments(LocalDate.class, LocalDate.of(2024, 2, 29)),
                arguments(BigDecimal.class, new BigDecimal("-12345678901234567890.000123")),
                arguments(BigInteger.class, new BigInteger("123456789012345678901234567890")),
                arguments(UUID.class, UUID.fromString("123e4567-e89b-12d3-a456-426614174000")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("roundTrips")
    void decode_encodedValue_returnsEqualValueOfDeclaredType(Type type, Object value) throws IOException {
        Object[] decoded = roundTrip(coder(type), value);

        assertThat(decoded).hasSize(1);
        assertThat(decoded[0]).isEqualTo(value);
        if (!(value instanceof Collection<?> || value instanceof Map<?, ?>)) {
            assertThat(decoded[0]).isInstanceOf(value.getClass());
        }
    }

    static Stream<Type> referenceTypes() {
        return Stream.of(String.class, Integer.class, byte[].class, Color.class, Employee.class, Address.class,
                new TypeRef<List<Employee>>() {}.type(), new TypeRef<Map<String, Integer>>() {}.type(),
                int[].class, Instant.class, BigDecimal.class, UUID.class, Character.class);
    }

    @ParameterizedTest
    @MethodSource("referenceTypes")
    void decode_null_returnsNull(Type type) throws IOException {
        assertThat(roundTrip(coder(type), (Object) null)).containsExactly((Object) null);
    }

    @Test
    void decode_nullOptional_returnsEmpty() throws IOException {
        ValueCoder coder = coder(new TypeRef<Optional<String>>() {}.type(), WithOptional.class);

        Object[] decoded = roundTrip(coder, null, new WithOptional("a", null));

        assertThat(decoded[0]).isEqualTo(Optional.empty());
        assertThat(((WithOptional) decoded[1]).nickname()).isEmpty();
    }

    @Test
    void decode_severalValues_keepsDeclaredOrder() throws IOException {
        ValueCoder coder = coder(String.class, int.class, new TypeRef<List<Employee>>() {}.type(), Color.class);

        Object[] decoded = roundTrip(coder, "s", 7, List.of(ALICE), Color.BLUE);

        assertThat(decoded).containsExactly("s", 7, List.of(ALICE), Color.BLUE);
    }

    @Test
    void decode_genericCollections_haveElementsOfDeclaredType() throws IOException {
        ValueCoder coder = coder(new TypeRef<List<Employee>>() {}.type(),
                new TypeRef<Map<String, List<Integer>>>() {}.type(), new TypeRef<Map<Long, String>>() {}.type());

        Object[] decoded = roundTrip(coder, List.of(ALICE), Map.of("k", List.of(1)), Map.of(5L, "five"));

        assertThat(((List<?>) decoded[0]).get(0)).isInstanceOf(Employee.class);
        assertThat((List<?>) ((Map<?, ?>) decoded[1]).get("k")).first().isInstanceOf(Integer.class);
        assertThat(((Map<?, ?>) decoded[2]).keySet()).first().isInstanceOf(Long.class);
    }

    @Test
    void decode_collectionInterfaces_returnsStandardImplementations() throws IOException {
        ValueCoder coder = coder(new TypeRef<List<String>>() {}.type(), new TypeRef<Set<String>>() {}.type(),
                new TypeRef<Map<String, String>>() {}.type(), new TypeRef<SortedSet<String>>() {}.type(),
                new TypeRef<SortedMap<String, String>>() {}.type(), new TypeRef<Collection<String>>() {}.type());

        Object[] decoded = roundTrip(coder, List.of("a"), Set.of("a"), Map.of("a", "b"), new TreeSet<>(Set.of("a")),
                new TreeMap<>(Map.of("a", "b")), List.of("a"));

        assertThat(decoded).extracting(Object::getClass).containsExactly(ArrayList.class, HashSet.class,
                LinkedHashMap.class, TreeSet.class, TreeMap.class, ArrayList.class);
    }

    @Test
    void encode_void_writesNullAndDecodesNull() throws IOException {
        for (Type type : List.of(void.class, Void.class)) {
            ValueCoder coder = coder(type);

            byte[] encoded = encode(coder, (Object) null);

            assertThat(encoded).containsExactly(0x81, 0xf6);
            assertThat(decode(coder, encoded)).containsExactly((Object) null);
        }
    }

    @Test
    void decode_voidGivenValue_throws() {
        ValueCoder coder = coder(void.class);

        assertThatThrownBy(() -> decode(coder, cbor(List.of(1))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("expected null");
    }

    @Test
    void encode_noTypes_writesEmptyArray() throws IOException {
        ValueCoder coder = coder();

        assertThat(encode(coder)).containsExactly(0x80);
        assertThat(decode(coder, bytes(0x80))).isEmpty();
    }

    @Test
    void encode_twoValues_writesDefiniteArrayOfTwoItems() {
        assertThat(encode(coder(int.class, boolean.class), 1, true)).containsExactly(0x82, 0x01, 0xf5);
    }

    @Test
    void encode_byteArray_writesByteString() {
        // 0x43: byte string (major type 2) of length 3.
        assertThat(encode(coder(byte[].class), (Object) bytes(1, 2, 3))).containsExactly(0x81, 0x43, 1, 2, 3);
    }

    @Test
    void encode_record_writesMapOfComponents() throws IOException {
        JsonNode tree = CodecTesting.RAW.readTree(encode(coder(Employee.class), ALICE));

        assertThat(tree.isArray()).isTrue();
        assertThat(tree.get(0).get("name").asText()).isEqualTo("Alice");
        assertThat(tree.get(0).get("number").asInt()).isEqualTo(1);
        assertThat(tree.get(0).get("color").asText()).isEqualTo("RED");
    }

    @Test
    void encode_subclassOfDeclaredBean_writesOnlyDeclaredProperties() throws IOException {
        class Extended extends Address {
            public String getExtra() {
                return "extra";
            }
        }
        Extended value = new Extended();
        value.setStreet("s");

        JsonNode tree = CodecTesting.RAW.readTree(encode(coder(Address.class), value));

        assertThat(tree.get(0).has("extra")).isFalse();
        assertThat(decode(coder(Address.class), encode(coder(Address.class), value))[0])
                .isEqualTo(new Address("s", 0, List.of()));
    }

    @Test
    void decode_unknownProperties_areIgnored() throws IOException {
        byte[] newer = encode(coder(EmployeeV2.class),
                new EmployeeV2("Alice", 1, Color.RED, "Al", List.of("x")));

        assertThat(decode(coder(Employee.class), newer)).containsExactly(ALICE);
    }

    @Test
    void decode_absentProperties_takeDefaults() throws IOException {
        byte[] older = encode(coder(Employee.class), ALICE);

        assertThat(decode(coder(EmployeeV2.class), older))
                .containsExactly(new EmployeeV2("Alice", 1, Color.RED, null, null));
    }

    @Test
    void decode_absentPrimitiveAndEnumComponents_takeDefaults() throws IOException {
        assertThat(decode(coder(Employee.class), cbor(List.of(Map.of("name", "Zoe")))))
                .containsExactly(new Employee("Zoe", 0, null));
    }

    @Test
    void decode_heapBufferWithOffset_readsOnlyRemainingBytes() throws IOException {
        ValueCoder coder = coder(String.class, byte[].class);
        byte[] encoded = encode(coder, "abc", bytes(9, 8, 7));
        byte[] padded = new byte[encoded.length + 10];
        System.arraycopy(encoded, 0, padded, 5, encoded.length);
        ByteBuffer buffer = ByteBuffer.wrap(padded, 3, encoded.length + 4).slice();
        buffer.position(2).limit(2 + encoded.length);

        Object[] decoded = coder.decode(buffer);

        assertThat(decoded[0]).isEqualTo("abc");
        assertThat((byte[]) decoded[1]).containsExactly(9, 8, 7);
        assertThat(buffer.position()).isEqualTo(2);
    }

    @Test
    void decode_directBuffer_readsValues() throws IOException {
        ValueCoder coder = coder(String.class, byte[].class, new TypeRef<List<Employee>>() {}.type());
        byte[] encoded = encode(coder, "abc", bytes(1, 2), List.of(ALICE));
        ByteBuffer buffer = ByteBuffer.allocateDirect(encoded.length + 3);
        buffer.put(bytes(0xff, 0xff)).put(encoded).put((byte) 0xff).flip().position(2).limit(2 + encoded.length);

        Object[] decoded = coder.decode(buffer);

        assertThat(decoded[0]).isEqualTo("abc");
        assertThat((byte[]) decoded[1]).containsExactly(1, 2);
        assertThat(decoded[2]).isEqualTo(List.of(ALICE));
        assertThat(buffer.position()).isEqualTo(2);
    }

    @Test
    void decode_readOnlyBuffer_readsValues() throws IOException {
        ValueCoder coder = coder(String.class);

        assertThat(coder.decode(ByteBuffer.wrap(encode(coder, "ro")).asReadOnlyBuffer())).containsExactly("ro");
    }

    @Test
    void decode_byteArray_doesNotShareTheBuffer() throws IOException {
        ValueCoder coder = coder(byte[].class);
        byte[] encoded = encode(coder, (Object) bytes(1, 2, 3));

        byte[] decoded = (byte[]) decode(coder, encoded)[0];
        Arrays.fill(encoded, (byte) 0);

        assertThat(decoded).containsExactly(1, 2, 3);
    }

    @Test
    void decode_largeByteArray_fromHeapAndDirectBuffers() throws IOException {
        byte[] large = new byte[1 << 20];
        new java.util.Random(1).nextBytes(large);
        ValueCoder coder = coder(byte[].class, String.class);
        byte[] encoded = encode(coder, large, "after");
        ByteBuffer direct = ByteBuffer.allocateDirect(encoded.length).put(encoded).flip();

        assertThat(decode(coder, encoded)).containsExactly(large, "after");
        assertThat(coder.decode(direct)).containsExactly(large, "after");
    }

    @Test
    void decode_indefiniteLengthByteString_isJoined() throws IOException {
        // 0x5f: indefinite-length byte string of the chunks [1, 2] and [3], then break.
        assertThat((byte[]) decode(coder(byte[].class), bytes(0x81, 0x5f, 0x42, 1, 2, 0x41, 3, 0xff))[0])
                .containsExactly(1, 2, 3);
    }

    @Test
    void decode_calledConcurrently_decodesEveryValue() throws Exception {
        ValueCoder coder = coder(Team.class, int.class);
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            List<Future<Object[]>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Team team = new Team("t" + i, ALICE, List.of(BOB), Map.of());
                int n = i;
                futures.add(executor.submit(() -> roundTrip(coder, team, n)));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get(10, TimeUnit.SECONDS))
                        .containsExactly(new Team("t" + i, ALICE, List.of(BOB), Map.of()), i);
            }
        } finally {
            executor.shutdownNow();
        }
    }

    // ---- malformed input

    @Test
    void decode_noBytes_throws() {
        assertThatThrownBy(() -> decode(coder(int.class), new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("got no bytes");
    }

    @Test
    void decode_notAnArray_throws() {
        assertThatThrownBy(() -> decode(coder(int.class), cbor(5)))
                .isInstanceOf(IOException.class)
                .hasMessage("expected a CBOR array of 1 value, got a number");
        assertThatThrownBy(() -> decode(coder(Employee.class), cbor(ALICE)))
                .isInstanceOf(IOException.class)
                .hasMessage("expected a CBOR array of 1 value, got a map");
    }

    @Test
    void decode_moreValuesThanDeclared_throws() {
        assertThatThrownBy(() -> decode(coder(int.class, int.class), cbor(List.of(1, 2, 3))))
                .isInstanceOf(IOException.class)
                .hasMessage("expected 2 values, got 3");
    }

    @Test
    void decode_fewerValuesThanDeclared_throws() {
        assertThatThrownBy(() -> decode(coder(int.class, int.class), cbor(List.of(1))))
                .isInstanceOf(IOException.class)
                .hasMessage("expected 2 values, got 1");
    }

    @Test
    void decode_indefiniteArrayWithWrongCount_throws() {
        // 0x9f: indefinite-length array, 0xff: break.
        assertThatThrownBy(() -> decode(coder(int.class, int.class), bytes(0x9f, 1, 2, 3, 0xff)))
                .isInstanceOf(IOException.class)
                .hasMessage("expected 2 values, got 3");
        assertThatThrownBy(() -> decode(coder(int.class, int.class), bytes(0x9f, 1, 0xff)))
                .isInstanceOf(IOException.class)
                .hasMessage("expected 2 values, got 1");
    }

    @Test
    void decode_indefiniteArrayWithRightCount_returnsValues() throws IOException {
        assertThat(decode(coder(int.class, int.class), bytes(0x9f, 1, 2, 0xff))).containsExactly(1, 2);
    }

    @Test
    void decode_trailingBytes_throws() {
        ValueCoder coder = coder(int.class);
        byte[] encoded = encode(coder, 1);
        byte[] withTrailer = Arrays.copyOf(encoded, encoded.length + 2);

        assertThatThrownBy(() -> decode(coder, withTrailer))
                .isInstanceOf(IOException.class)
                .hasMessage("2 unexpected trailing bytes after the array of 1 value");
    }

    @Test
    void decode_secondArrayAfterFirst_throws() {
        ValueCoder coder = coder(int.class);
        byte[] twice = bytes(0x81, 1, 0x81, 1);

        assertThatThrownBy(() -> decode(coder, twice))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("trailing bytes");
        assertThatThrownBy(() -> coder.decode(ByteBuffer.allocateDirect(4).put(twice).flip()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("trailing bytes");
    }

    @Test
    void decode_truncatedBytes_throwsAtEveryCut() {
        ValueCoder coder = coder(String.class, Team.class, byte[].class);
        byte[] encoded = encode(coder, "abc", new Team("t", ALICE, List.of(BOB), Map.of(Color.RED, ALICE)),
                bytes(1, 2, 3));

        for (int length = 0; length < encoded.length; length++) {
            byte[] truncated = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> decode(coder, truncated)).as("cut at %d", length).isInstanceOf(IOException.class);
        }
    }

    @Test
    void decode_garbage_throws() {
        ValueCoder coder = coder(String.class, Employee.class);

        assertThatThrownBy(() -> decode(coder, bytes(0xff, 0xfe, 0xfd))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode(coder, bytes(0x82, 0x1c, 0x1d))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode(coder, "not cbor at all".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void decode_randomBytes_throwIOExceptionOnly() {
        ValueCoder coder = coder(Team.class, new TypeRef<Map<String, List<Integer>>>() {}.type());
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] garbage = new byte[random.nextInt(40)];
            random.nextBytes(garbage);
            if (garbage.length > 0) {
                garbage[0] = (byte) 0x82;
            }
            try {
                decode(coder, garbage);
            } catch (IOException expected) {
                // the only acceptable failure
            }
        }
    }

    static Stream<Arguments> mismatches() {
        return Stream.of(
                arguments(int.class, "42", "value 1 of 1 (int)"),
                arguments(int.class, 1.5, "value 1 of 1 (int)"),
                arguments(int.class, 1L << 40, "out of range"),
                arguments(boolean.class, 1, "value 1 of 1 (boolean)"),
                arguments(String.class, List.of("a"), "value 1 of 1 (java.lang.String)"),
                arguments(Color.class, 1, "Color"),
                arguments(Color.class, "PURPLE", "PURPLE"),
                arguments(Employee.class, "Alice", "Employee"),
                arguments(Employee.class, Map.of("name", "Alice", "number", "one"), "number"),
                arguments(byte[].class, Map.of("a", 1), "byte[]"),
                arguments(byte[].class, List.of(1, 2), "byte[]"),
                arguments(byte[].class, "AQI=", "byte[]"),
                arguments(Instant.class, "yesterday", "Instant"),
                arguments(UUID.class, "not-a-uuid", "UUID"),
                arguments(new TypeRef<List<Integer>>() {}.type(), List.of("a"), "java.util.List<java.lang.Integer>"),
                arguments(new TypeRef<Map<Integer, String>>() {}.type(), Map.of("x", "y"), "java.lang.Integer"));
    }

    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource("mismatches")
    void decode_valueOfAnotherType_throws(Type type, Object wireValue, String messagePart) {
        assertThatThrownBy(() -> decode(coder(type), cbor(List.of(wireValue))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot decode value 1 of 1")
                .hasMessageContaining(messagePart)
                // plain words: no Jackson class, annotation-style quoting or configuration advice
                .hasMessageNotContainingAny("CoercionConfig", "`", "com.fasterxml", "[Source");
    }

    /** Regression (issue 18): a number or boolean was read as text where a String is declared. */
    @ParameterizedTest(name = "{0} from {1}")
    @MethodSource("noCoercion")
    void decode_scalarOfAnotherKind_isNeverCoerced(Type type, Object wireValue, String message) {
        assertThatThrownBy(() -> decode(coder(type), cbor(List.of(wireValue))))
                .isInstanceOf(ValueDecodingException.class)
                .hasMessage(message);
    }

    static Stream<Arguments> noCoercion() {
        return Stream.of(
                arguments(String.class, 42, "cannot decode value 1 of 1 (java.lang.String): expected a text string,"
                        + " got the integer 42"),
                arguments(String.class, 1.5, "cannot decode value 1 of 1 (java.lang.String): expected a text string,"
                        + " got the number 1.5"),
                arguments(String.class, true, "cannot decode value 1 of 1 (java.lang.String): expected a text string,"
                        + " got the boolean true"),
                arguments(int.class, "42", "cannot decode value 1 of 1 (int): expected an integer,"
                        + " got the text string \"42\""),
                arguments(Long.class, "42", "cannot decode value 1 of 1 (java.lang.Long): expected an integer,"
                        + " got the text string \"42\""),
                arguments(boolean.class, "true", "cannot decode value 1 of 1 (boolean): expected a boolean,"
                        + " got the text string \"true\""),
                arguments(Employee.class, Map.of("number", "7", "name", "Ada"), "cannot decode value 1 of 1 ("
                        + Employee.class.getTypeName() + "): at number: expected an integer, got the text string \"7\""),
                arguments(new TypeRef<List<String>>() {}.type(), List.of("a", 2), "cannot decode value 1 of 1"
                        + " (java.util.List<java.lang.String>): at [1]: expected a text string, got the integer 2"));
    }

    @Test
    void decode_numberWhereTextExpected_stillReadsNumbersAsFloatingPoint() throws IOException {
        assertThat(decode(coder(double.class), cbor(List.of(3)))).containsExactly(3.0);
    }

    @Test
    void decode_nullForPrimitive_throws() {
        assertThatThrownBy(() -> decode(coder(int.class), bytes(0x81, 0xf6)))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot decode value 1 of 1 (int): expected an integer, got null");
    }

    @Test
    void decode_duplicateKeys_throws() {
        // {"name": "a", "name": "b"} as the only value.
        byte[] payload = bytes(0x81, 0xa2, 0x64, 'n', 'a', 'm', 'e', 0x61, 'a', 0x64, 'n', 'a', 'm', 'e', 0x61, 'b');

        assertThatThrownBy(() -> decode(coder(Employee.class), payload))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Duplicate");
    }

    // ---- encoding errors

    @Test
    void encode_getterThrows_throwsIOExceptionNamingTheProblem() {
        assertThatThrownBy(() -> coder(Faulty.class).encode(new Object[] {new Faulty()}, new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot encode value 1 of 1")
                .hasMessageContaining("getter exploded");
    }

    @Test
    void encode_valueOfWrongType_throws() {
        assertThatThrownBy(() -> coder(int.class).encode(new Object[] {"one"}, new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot encode value 1 of 1 (int): got a java.lang.String");
    }

    @Test
    void encode_nullForPrimitive_throws() {
        assertThatThrownBy(() -> coder(long.class).encode(new Object[] {null}, new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot encode value 1 of 1 (long): null for a primitive type");
    }

    @Test
    void encode_wrongNumberOfValues_throwsIllegalArgument() {
        assertThatThrownBy(() -> coder(int.class).encode(new Object[] {1, 2}, new ByteArrayOutputStream()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 1 value, got 2");
    }

    @Test
    void encode_doesNotCloseTheStream() throws IOException {
        boolean[] closed = {false};
        OutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };

        coder(int.class).encode(new Object[] {1}, out);

        assertThat(closed[0]).isFalse();
    }

    @Test
    void encode_streamFails_throwsIOException() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk on fire");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk on fire");
            }
        };

        assertThatThrownBy(() -> coder(String.class).encode(new Object[] {"x"}, broken))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("disk on fire");
    }

    // ---- rejected types

    static Stream<Arguments> rejectedTypes() throws NoSuchMethodException {
        Method get = Generic.class.getMethod("get");
        return Stream.of(
                arguments(Object.class, "cannot carry java.lang.Object: declare a concrete type"),
                arguments(new TypeRef<List<?>>() {}.type(), "wildcard"),
                arguments(new TypeRef<List<? extends Number>>() {}.type(), "wildcard"),
                arguments(get.getGenericReturnType(), "cannot carry T: type variable"),
                arguments(List.class, "cannot carry java.util.List: raw type"),
                arguments(Map.class, "raw type"),
                arguments(Page.class, "raw type"),
                arguments(Serializable.class, "cannot carry java.io.Serializable: interfaces and abstract classes"),
                arguments(new TypeRef<Comparable<String>>() {}.type(), "interfaces and abstract classes"),
                arguments(Number.class, "interfaces and abstract classes"),
                arguments(CharSequence.class, "interfaces and abstract classes"),
                arguments(Animal.class, "interfaces and abstract classes"),
                arguments(Runnable.class, "interfaces and abstract classes"),
                arguments(new TypeRef<Iterable<String>>() {}.type(), "interfaces and abstract classes"),
                arguments(new TypeRef<Class<String>>() {}.type(), "classes are not carried"),
                arguments(new TypeRef<List<Object>>() {}.type(),
                        "cannot carry java.lang.Object (in java.util.List<java.lang.Object>, at element):"
                                + " declare a concrete type"),
                arguments(Object[].class, "at element"),
                arguments(new TypeRef<Map<String, Object>>() {}.type(), "at map value"),
                arguments(new TypeRef<Map<Object, String>>() {}.type(), "at map key"),
                arguments(new TypeRef<Optional<Object>>() {}.type(), "at content"),
                arguments(new TypeRef<List<Serializable>>() {}.type(), "interfaces and abstract classes"),
                arguments(new TypeRef<List<Void>>() {}.type(), "void can only be declared as a result type"),
                arguments(WithObject.class, "cannot carry java.lang.Object (in " + WithObject.class.getName()
                        + ", at property payload): declare a concrete type"),
                arguments(WithNestedObject.class, "at property rows > element > map value"),
                arguments(WithRawList.class, "at property items > element"),
                arguments(WithInterface.class, "at property value"),
                arguments(Untyped.class, "at property payload"),
                arguments(new TypeRef<List<Untyped>>() {}.type(), "at element > property payload"),
                arguments(NoConstructor.class, "no usable constructor"),
                arguments(Opaque.class, "no property is visible"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedTypes")
    void coder_unsupportedType_throwsIllegalArgumentNamingTheReason(Type type, String messagePart) {
        assertThatThrownBy(() -> JacksonCodec.cbor().coder(List.of(String.class, type)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot carry ")
                .hasMessageContaining(messagePart);
    }

    @Test
    void name_isCbor() {
        assertThat(JacksonCodec.cbor().name()).isEqualTo("cbor");
        assertThat(JacksonCodec.cbor()).isSameAs(JacksonCodec.cbor());
    }
}
