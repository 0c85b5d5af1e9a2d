package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hermod.codec.Codec;
import dev.hermod.codec.ValueCoder;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.lang.ref.WeakReference;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * The default codec of Hermod: Jackson with the binary CBOR format (RFC 8949).
 *
 * <h2>Wire shape</h2>
 * The values of one coder are written as one definite-length CBOR array of exactly as many items
 * as there are declared types, in declared order; no types gives the empty array (the single byte
 * {@code 0x80}). Decoding also accepts an indefinite-length array, and rejects with an
 * {@link java.io.IOException} saying what was wrong: bytes that are not an array, an array with
 * more or fewer items than declared ({@code "expected 2 values, got 3"}), any bytes after the
 * array, and items that do not match their declared type.
 *
 * <h2>Supported types</h2>
 * <ul>
 *   <li>primitives and their boxes, {@link String}, {@link java.math.BigDecimal},
 *       {@link java.math.BigInteger}, {@link java.util.UUID}; a {@code char} is a one-character
 *       text string. There is no coercion, and no lenient mode: text is not read as a number or
 *       boolean nor a number or boolean as text, a fraction is not read as an integer, and an
 *       integer out of range of its type is rejected (an integer is read as a floating-point
 *       number, which loses nothing that matters);
 *   <li>{@code byte[]} as a CBOR byte string, the only form accepted when decoding; other arrays
 *       ({@code int[]}, {@code String[]}, {@code Employee[]}, ...) as CBOR arrays;
 *   <li>{@link java.nio.ByteBuffer}, as a whole parameter or result only (not inside another type):
 *       its remaining bytes as a CBOR byte string, or, through {@link Segmented}, as a raw segment
 *       after the payload; decoded as a read-only buffer;
 *   <li>enums, by constant name (numbers are rejected, unknown names too);
 *   <li>records, and beans with a public no-argument constructor and getters/setters (or a
 *       {@code @JsonCreator} constructor), as CBOR maps from property name to value; unknown
 *       properties are ignored and absent ones keep their default (null, zero, false, or
 *       {@code Optional.empty()}), so a type may gain or lose properties while older peers still
 *       run. Jackson annotations on these types are honoured;
 *   <li>{@link java.util.Collection}, {@link java.util.List}, {@link java.util.Set},
 *       {@link java.util.SortedSet}, {@link java.util.NavigableSet}, {@link java.util.Queue},
 *       {@link java.util.Deque}, {@link java.util.EnumSet}, {@link java.util.Map},
 *       {@link java.util.SortedMap}, {@link java.util.NavigableMap},
 *       {@link java.util.concurrent.ConcurrentMap} and
 *       {@link java.util.concurrent.ConcurrentNavigableMap}, decoded as Jackson's standard
 *       implementation ({@code ArrayList}, {@code HashSet}, {@code TreeSet}, {@code LinkedList},
 *       {@code LinkedHashMap}, {@code TreeMap}, ...), and concrete collection and map classes.
 *       Map keys are strings, enums, numbers, {@code UUID}s or other types Jackson reads from a
 *       key string;
 *   <li>{@link java.util.Optional}, {@code OptionalInt}, {@code OptionalLong} and
 *       {@code OptionalDouble}: an empty and a null {@code Optional} are both written as CBOR
 *       null, which decodes as {@code Optional.empty()}, so an {@code Optional} is never decoded
 *       as null;
 *   <li>{@code java.time} types, as ISO-8601 text ({@code Instant}, {@code Duration},
 *       {@code LocalDate}, ...; offsets are kept, not adjusted to UTC);
 *   <li>declared exceptions (any {@link Throwable} subclass), see below;
 *   <li>{@code void} and {@link Void}, as a result type: always written as null (whatever value
 *       is given) and only null is accepted when decoding.
 * </ul>
 * Every reference type may be null, written as CBOR null; a value of a primitive declared type
 * may not be null on either side. Generic types are decoded as declared: {@code List<Employee>} yields {@code Employee}
 * elements and {@code Map<Long, String>} {@code Long} keys. Values are written by their declared
 * type, not their runtime class: a subclass of a declared bean is written with the declared
 * bean's properties only.
 *
 * <h2>Rejected types</h2>
 * {@link #coder(List)} throws {@link IllegalArgumentException} naming the type, where it sits and
 * why (for example {@code "cannot carry java.lang.Object: declare a concrete type"}) for:
 * {@code Object}; wildcards ({@code List<?>}); type variables; raw generic types ({@code List});
 * interfaces and abstract classes other than the collection interfaces above
 * ({@code Serializable}, {@code Comparable}, {@code Number}, {@code CharSequence}, ...);
 * {@code Class}; {@code Void} other than as a whole result type; types whose Jackson
 * (de)serializer cannot be built, such as a class with no usable constructor, a map key type with
 * no key deserializer, or a polymorphic type that names classes (below); and a bean none of whose
 * state is visible as a property. The check is recursive through array and collection elements,
 * map keys and values, {@code Optional} contents, record components, bean properties and the
 * fields of declared exceptions, so {@code List<Object>} and a record with an {@code Object}
 * component are rejected too.
 *
 * <h2>Safety</h2>
 * Nothing on the wire chooses a class: every value is decoded as its declared type. Jackson's
 * default typing is never enabled, and the {@link PolymorphicTypeValidator} denies every base
 * type and every class named in a payload, so a type using {@code @JsonTypeInfo} with
 * {@code Id.CLASS} or {@code Id.MINIMAL_CLASS} is rejected by {@code coder()}, and a payload
 * naming a class never loads or instantiates it. Logical type names ({@code Id.NAME} with
 * {@code @JsonSubTypes}) are allowed, as they only select among classes the contract lists.
 * Before a payload is decoded, its CBOR structure is walked without allocating anything and
 * checked against {@link DecodeLimits} (by default: at most an estimated 64 MiB of decoded
 * objects, 4,000,000 data items and nesting 1,000 deep), so that a small payload cannot make the
 * receiver allocate far more than it holds; a payload beyond them fails with
 * {@link DecodeLimits.Exceeded}. Parsing is also bounded by Jackson's stream read constraints
 * (nesting depth, token count, string and number lengths); a byte string is never allocated
 * larger than the bytes actually present; duplicate map keys are rejected.
 *
 * <h2>Declared exceptions</h2>
 * A {@link Throwable} subclass is carried as a CBOR map holding {@code "message"}
 * ({@link Throwable#getMessage()}, text or null) and the instance fields declared by the classes
 * of its hierarchy below {@code Throwable}, private and final ones included, static, transient
 * and synthetic ones excluded, each by name and written by its declared type. The stack trace,
 * cause, suppressed exceptions and localized message are never carried. Decoding builds an
 * instance of exactly the declared class with its public {@code (String message)} constructor,
 * or, if it has none, its public no-argument constructor (the message is then whatever that
 * constructor sets and the carried one is dropped), then sets the carried fields present in the
 * map; absent fields keep the value the constructor gave them and unknown keys are ignored. The
 * decoded instance's stack trace is that of the decoding thread. {@code coder()} rejects an
 * exception class that is abstract, has neither constructor, has a field named {@code message}
 * or two fields of the same name, or has a field of a type rejected above. In a named module,
 * the package of a declared exception must be open to {@code dev.hermod}, and the packages of
 * records and beans to {@code com.fasterxml.jackson.databind}.
 *
 * <p>Instances are immutable and thread-safe; {@link #cbor()} returns a shared one.
 *
 * <h2>Class loaders</h2>
 * Jackson caches what it learns about each type, strongly. So that the shared codec does not keep
 * an application's classes (and with them its class loader) alive after the application is gone,
 * the types of each application class loader are coded by a mapper of their own, a copy of the
 * configured one, kept with those classes through a {@link ClassValue}: when the loader becomes
 * unreachable, its mapper and Jackson's caches of its types go with it. Types of the JDK and of
 * Hermod's own class loader use the shared mapper.
 */
public final class JacksonCodec implements Codec {

    private static final JacksonCodec CBOR = new JacksonCodec(newCborMapper(DecodeLimits.DEFAULT), DecodeLimits.DEFAULT);

    private final ObjectMapper mapper;
    private final DecodeLimits limits;
    /** One mapper per application class loader, found through any class of that loader. */
    private final ClassValue<ObjectMapper> mappers = new ClassValue<>() {
        @Override
        protected ObjectMapper computeValue(Class<?> anchor) {
            return mapperOf(anchor.getClassLoader());
        }
    };
    /** The live mapper of each loader; weak both ways, so that it pins neither. Guarded by itself. */
    private final Map<ClassLoader, WeakReference<ObjectMapper>> byLoader = new WeakHashMap<>();

    private JacksonCodec(ObjectMapper mapper, DecodeLimits limits) {
        this.mapper = mapper;
        this.limits = limits;
    }

    /**
     * Returns a CBOR codec that checks payloads against other limits than the
     * {@linkplain DecodeLimits#DEFAULT defaults}.
     *
     * @param limits what a payload may cost once decoded
     * @return a new codec
     */
    public static JacksonCodec cbor(DecodeLimits limits) {
        Objects.requireNonNull(limits, "limits");
        return new JacksonCodec(newCborMapper(limits), limits);
    }

    /**
     * Returns the CBOR codec. Its {@code ObjectMapper} is configured once and shared: it holds
     * only caches of (de)serializers, which are thread-safe.
     *
     * @return the shared instance
     */
    public static JacksonCodec cbor() {
        return CBOR;
    }

    @Override
    public String name() {
        return "cbor";
    }

    /**
     * {@inheritDoc}
     *
     * <p>All (de)serializers are built here, so an unsupported type fails now rather than on the
     * first call.
     */
    @Override
    public ValueCoder coder(List<Type> types) {
        Objects.requireNonNull(types, "types");
        List<Type> copy = List.copyOf(types);
        Class<?> anchor = ClassLoaders.deepestApplicationClass(copy, JacksonCodec.class.getClassLoader());
        return new JacksonValueCoder(anchor == null ? mapper : mappers.get(anchor), copy, limits);
    }

    private ObjectMapper mapperOf(ClassLoader loader) {
        synchronized (byLoader) {
            WeakReference<ObjectMapper> ref = byLoader.get(loader);
            ObjectMapper m = ref == null ? null : ref.get();
            if (m == null) {
                m = mapper.copy();
                // The default TypeFactory is static and caches types: this loader's get a cache of their own.
                m.setTypeFactory(TypeFactory.createDefaultInstance());
                byLoader.put(loader, new WeakReference<>(m));
            }
            return m;
        }
    }

    @Override
    public ValueCoder untypedCoder(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        return JacksonValueCoder.untyped(mapper, count, limits);
    }

    /** The configured mapper; for tests. */
    ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public String toString() {
        return "JacksonCodec[" + name() + "]";
    }

    private static ObjectMapper newCborMapper(DecodeLimits limits) {
        // Thread-local buffers on platform threads, a shared deque on virtual ones: BufferPool says why.
        com.fasterxml.jackson.dataformat.cbor.CBORFactory factory = com.fasterxml.jackson.dataformat.cbor.CBORFactory
                .builder()
                .recyclerPool(BufferPool.instance())
                // Jackson's own limits, behind the walk of DecodeLimits: nesting, and tokens
                // (each data item is one, and each container adds its end).
                .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth())
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, Math.max(
                                com.fasterxml.jackson.core.StreamReadConstraints.DEFAULT_MAX_STRING_LEN,
                                limits.maxStringBytes())))
                        .maxTokenCount(2 * limits.maxItems() + 2)
                        .build())
                .build();
        return CBORMapper.builder(factory)
                .addModule(new Jdk8Module())
                .addModule(new JavaTimeModule())
                .addModule(new ExceptionModule())
                .addModule(new SimpleModule("hermod-byte-strings")
                        .addDeserializer(byte[].class, new ByteStringDeserializer()))
                .polymorphicTypeValidator(DenyAllTypeValidator.INSTANCE)
                .enable(MapperFeature.BLOCK_UNSAFE_POLYMORPHIC_BASE_TYPES)
                // The declared type decides what is written, not the runtime subclass.
                .enable(MapperFeature.USE_STATIC_TYPING)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // That feature leaves text alone: without this, a number or boolean is read as a String.
                .withCoercionConfig(com.fasterxml.jackson.databind.type.LogicalType.Textual, c -> c
                        .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                                com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                        .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                                com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                        .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Boolean,
                                com.fasterxml.jackson.databind.cfg.CoercionAction.Fail))
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
                // Repeated keys are refused by DuplicateKeys, which makes no set per map as this would.
                .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // RFC 8949 encoding of negative big integers (Jackson 2's default is off by one)
                .enable(com.fasterxml.jackson.dataformat.cbor.CBORGenerator.Feature.ENCODE_USING_STANDARD_NEGATIVE_BIGINT_ENCODING)
                .enable(com.fasterxml.jackson.dataformat.cbor.CBORParser.Feature.DECODE_USING_STANDARD_NEGATIVE_BIGINT_ENCODING)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT)
                .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
                .build();
    }

    /**
     * Denies every polymorphic type: no base type may resolve class names, and no class name or
     * subtype read from the wire is ever accepted. Jackson consults it only for
     * {@code @JsonTypeInfo} with class-name ids; default typing is never enabled.
     */
    static final class DenyAllTypeValidator extends PolymorphicTypeValidator.Base {

        private static final long serialVersionUID = 1L;

        static final DenyAllTypeValidator INSTANCE = new DenyAllTypeValidator();

        private DenyAllTypeValidator() {
        }

        @Override
        public Validity validateBaseType(MapperConfig<?> config, JavaType baseType) {
            return Validity.DENIED;
        }

        @Override
        public Validity validateSubClassName(MapperConfig<?> config, JavaType baseType, String subClassName) {
            return Validity.DENIED;
        }

        @Override
        public Validity validateSubType(MapperConfig<?> config, JavaType baseType, JavaType subType) {
            return Validity.DENIED;
        }
    }
}
