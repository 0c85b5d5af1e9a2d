package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.cbor;
import static dev.hermod.internal.codec.CodecTesting.coder;
import static dev.hermod.internal.codec.CodecTesting.decode;
import static dev.hermod.internal.codec.CodecTesting.encode;
import static dev.hermod.internal.codec.CodecTesting.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hermod.codec.ValueCoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Declared exceptions: message and own fields, rebuilt as exactly the declared class. */
final class JacksonCodecExceptionsTest {

    public static class NoSuchEmployee extends Exception {
        private static final long serialVersionUID = 1L;
        private static final int IGNORED_STATIC = 1;

        private final int number;

        public NoSuchEmployee(String message) {
            super(message);
            this.number = 0;
        }

        public NoSuchEmployee(String message, int number) {
            super(message);
            this.number = number;
        }

        int number() {
            return number;
        }
    }

    /** Subclass with its own field: both levels are carried. */
    public static final class NoSuchManager extends NoSuchEmployee {
        private static final long serialVersionUID = 1L;

        private final List<String> reports;
        private transient String cache = "not carried";

        public NoSuchManager(String message) {
            super(message);
            this.reports = new ArrayList<>();
        }

        NoSuchManager(String message, int number, List<String> reports) {
            super(message, number);
            this.reports = reports;
        }
    }

    /** Only a no-argument constructor: the message is whatever it sets. */
    public static final class QuotaExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private long limit;
        private final String unit;

        public QuotaExceeded() {
            super("quota exceeded");
            this.unit = "none";
        }

        QuotaExceeded(long limit, String unit) {
            super("quota of " + limit + " " + unit + " exceeded");
            this.limit = limit;
            this.unit = unit;
        }
    }

    /** Neither supported constructor. */
    public static final class Unbuildable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unbuildable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A (String) constructor that is not public does not count. */
    public static final class Hidden extends Exception {
        private static final long serialVersionUID = 1L;

        Hidden(String message) {
            super(message);
        }
    }

    public abstract static class AbstractFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public AbstractFailure(String message) {
            super(message);
        }
    }

    public static final class WithMessageField extends Exception {
        private static final long serialVersionUID = 1L;
        private final String message;

        public WithMessageField(String message) {
            super(message);
            this.message = message;
        }
    }

    public static final class WithObjectField extends Exception {
        private static final long serialVersionUID = 1L;
        private Object detail;

        public WithObjectField(String message) {
            super(message);
        }
    }

    public static final class Refusing extends Exception {
        private static final long serialVersionUID = 1L;

        public Refusing(String message) {
            super(message);
            if (message != null && message.startsWith("refuse")) {
                throw new IllegalArgumentException("refused to be built");
            }
        }
    }

    record Failure(String operation, NoSuchEmployee error) {}

    @Test
    void decode_exceptionWithMessageConstructor_restoresMessageAndFinalField() throws IOException {
        NoSuchEmployee original = new NoSuchEmployee("no employee 42", 42);
        original.initCause(new IllegalStateException("cause is not carried"));
        original.addSuppressed(new RuntimeException("suppressed is not carried"));

        Object decoded = roundTrip(coder(NoSuchEmployee.class), original)[0];

        assertThat(decoded).isExactlyInstanceOf(NoSuchEmployee.class);
        NoSuchEmployee e = (NoSuchEmployee) decoded;
        assertThat(e.getMessage()).isEqualTo("no employee 42");
        assertThat(e.number()).isEqualTo(42);
        assertThat(e.getCause()).isNull();
        assertThat(e.getSuppressed()).isEmpty();
    }

    @Test
    void encode_exception_writesMessageAndOwnFieldsOnly() throws IOException {
        NoSuchEmployee original = new NoSuchEmployee("gone", 7);
        original.initCause(new IllegalStateException("secret"));

        JsonNode tree = CodecTesting.RAW.readTree(encode(coder(NoSuchEmployee.class), original)).get(0);

        List<String> keys = new ArrayList<>();
        tree.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("message", "number");
        assertThat(tree.get("message").asText()).isEqualTo("gone");
        assertThat(tree.get("number").asInt()).isEqualTo(7);
    }

    @Test
    void decode_exceptionSubclass_restoresFieldsOfEveryLevel() throws IOException {
        NoSuchManager original = new NoSuchManager("no manager", 3, List.of("a", "b"));

        NoSuchManager decoded = (NoSuchManager) roundTrip(coder(NoSuchManager.class), original)[0];

        assertThat(decoded.getMessage()).isEqualTo("no manager");
        assertThat(decoded.number()).isEqualTo(3);
        assertThat(decoded.reports).containsExactly("a", "b");
        assertThat(decoded.cache).isEqualTo("not carried");
    }

    @Test
    void decode_subclassValueForDeclaredClass_rebuildsDeclaredClass() throws IOException {
        Object decoded = roundTrip(coder(NoSuchEmployee.class), new NoSuchManager("m", 5, List.of()))[0];

        assertThat(decoded).isExactlyInstanceOf(NoSuchEmployee.class);
        assertThat(((NoSuchEmployee) decoded).number()).isEqualTo(5);
    }

    @Test
    void decode_exceptionWithOnlyNoArgConstructor_restoresFieldsAndKeepsConstructorMessage()
            throws IOException {
        QuotaExceeded decoded = (QuotaExceeded) roundTrip(coder(QuotaExceeded.class),
                new QuotaExceeded(10, "calls"))[0];

        assertThat(decoded.limit).isEqualTo(10);
        assertThat(decoded.unit).isEqualTo("calls");
        assertThat(decoded.getMessage()).isEqualTo("quota exceeded");
    }

    @Test
    void decode_nullMessage_passesNull() throws IOException {
        NoSuchEmployee decoded = (NoSuchEmployee) roundTrip(coder(NoSuchEmployee.class),
                new NoSuchEmployee(null, 1))[0];

        assertThat(decoded.getMessage()).isNull();
        assertThat(decoded.number()).isEqualTo(1);
    }

    @Test
    void decode_nullException_returnsNull() throws IOException {
        assertThat(roundTrip(coder(NoSuchEmployee.class), (Object) null)).containsExactly((Object) null);
    }

    @Test
    void decode_exceptionInsideRecordAndList_roundTrips() throws IOException {
        ValueCoder coder = coder(Failure.class, new CodecTesting.TypeRef<List<NoSuchEmployee>>() {}.type());

        Object[] decoded = roundTrip(coder, new Failure("find", new NoSuchEmployee("x", 9)),
                List.of(new NoSuchEmployee("y", 8)));

        assertThat(((Failure) decoded[0]).error().number()).isEqualTo(9);
        assertThat((Throwable) ((List<?>) decoded[1]).get(0)).isInstanceOf(NoSuchEmployee.class).hasMessage("y");
    }

    @Test
    void decode_unknownAndAbsentKeys_areIgnoredAndDefaulted() throws IOException {
        byte[] payload = cbor(List.of(Map.of("message", "m", "stackTrace", List.of("at evil"), "other", 1)));

        NoSuchEmployee decoded = (NoSuchEmployee) decode(coder(NoSuchEmployee.class), payload)[0];

        assertThat(decoded.getMessage()).isEqualTo("m");
        assertThat(decoded.number()).isZero();
    }

    @Test
    void decode_exceptionFieldOfWrongType_throws() {
        byte[] payload = cbor(List.of(Map.of("message", "m", "number", "many")));

        assertThatThrownBy(() -> decode(coder(NoSuchEmployee.class), payload))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot decode value 1 of 1");
    }

    @Test
    void decode_exceptionNotAMap_throws() {
        assertThatThrownBy(() -> decode(coder(NoSuchEmployee.class), cbor(List.of("boom"))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("expected a map for declared exception");
    }

    @Test
    void decode_constructorThrows_throwsIOException() {
        byte[] payload = cbor(List.of(Map.of("message", "refuse me")));

        assertThatThrownBy(() -> decode(coder(Refusing.class), payload))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("refused to be built");
    }

    @Test
    void coder_exceptionWithoutSupportedConstructor_isRejected() {
        assertThatThrownBy(() -> coder(Unbuildable.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("declared exception " + Unbuildable.class.getName()
                        + " needs a public no-argument or (String message) constructor");
        assertThatThrownBy(() -> coder(Hidden.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a public no-argument or (String message) constructor");
    }

    @Test
    void coder_unsupportedExceptions_areRejected() {
        assertThatThrownBy(() -> coder(AbstractFailure.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is abstract");
        assertThatThrownBy(() -> coder(WithMessageField.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a field named 'message'");
        assertThatThrownBy(() -> coder(WithObjectField.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot carry java.lang.Object (in " + WithObjectField.class.getName()
                        + ", at field detail)");
    }

    @Test
    void coder_unsupportedExceptionInsideRecord_namesWhereItIs() {
        record Holder(Unbuildable error) {}

        assertThatThrownBy(() -> coder(Holder.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at property error")
                .hasMessageContaining("needs a public no-argument or (String message) constructor");
    }

    @Test
    void decode_jdkExceptions_roundTrip() throws IOException {
        ValueCoder coder = coder(IllegalStateException.class, IOException.class, Exception.class, Throwable.class);

        Object[] decoded = roundTrip(coder, new IllegalStateException("bad state"), new IOException("io"),
                new Exception("plain"), new Throwable("root"));

        assertThat((Throwable) decoded[0]).isExactlyInstanceOf(IllegalStateException.class).hasMessage("bad state");
        assertThat((Throwable) decoded[1]).isExactlyInstanceOf(IOException.class).hasMessage("io");
        assertThat((Throwable) decoded[2]).isExactlyInstanceOf(Exception.class).hasMessage("plain");
        assertThat((Throwable) decoded[3]).isExactlyInstanceOf(Throwable.class).hasMessage("root");
    }
}
