package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.deser.ResolvableDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.ResolvableSerializer;
import com.fasterxml.jackson.databind.ser.Serializers;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Jackson module that carries every {@link Throwable} subclass as declared exception: a map of
 * {@code "message"} and the fields described by {@link ExceptionShape}, never the stack trace,
 * cause or suppressed exceptions that Jackson's own bean handling of exceptions would expose.
 *
 * <p>The serializers and deserializers are created per exception class and cached by Jackson;
 * the field (de)serializers are looked up once, when Jackson resolves them.
 */
final class ExceptionModule extends Module {

    @Override
    public String getModuleName() {
        return "hermod-declared-exceptions";
    }

    @Override
    public Version version() {
        return Version.unknownVersion();
    }

    @Override
    public void setupModule(SetupContext context) {
        context.addSerializers(new Serializers.Base() {
            @Override
            public JsonSerializer<?> findSerializer(
                    SerializationConfig config, JavaType type, BeanDescription beanDesc) {
                return isException(type) ? new ExceptionSerializer(type.getRawClass()) : null;
            }
        });
        context.addDeserializers(new Deserializers.Base() {
            @Override
            public JsonDeserializer<?> findBeanDeserializer(
                    JavaType type, DeserializationConfig config, BeanDescription beanDesc) {
                return isException(type) ? new ExceptionDeserializer(type.getRawClass()) : null;
            }
        });
    }

    private static boolean isException(JavaType type) {
        return Throwable.class.isAssignableFrom(type.getRawClass());
    }

    /** Writes {@code {"message": ..., field: value, ...}} using each field's declared type. */
    static final class ExceptionSerializer extends StdSerializer<Throwable> implements ResolvableSerializer {

        private static final long serialVersionUID = 1L;

        private final transient ExceptionShape shape;
        private final String problem;
        private transient volatile JsonSerializer<Object>[] fieldSerializers;

        ExceptionSerializer(Class<?> type) {
            super(Throwable.class);
            ExceptionShape shape = null;
            String problem = null;
            try {
                shape = ExceptionShape.of(type);
            } catch (IllegalArgumentException e) {
                // Reported when used, so that the enclosing type's serializer can still be built
                // and coder() can say where the unsupported exception sits.
                problem = e.getMessage();
            }
            this.shape = shape;
            this.problem = problem;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void resolve(SerializerProvider provider) throws JsonMappingException {
            if (problem != null) {
                return;
            }
            List<Field> fields = shape.fields();
            @SuppressWarnings("rawtypes")
            JsonSerializer<Object>[] serializers = new JsonSerializer[fields.size()];
            for (int i = 0; i < serializers.length; i++) {
                JavaType type = provider.constructType(fields.get(i).getGenericType());
                serializers[i] = provider.findTypedValueSerializer(type, true, null);
            }
            fieldSerializers = serializers;
        }

        @Override
        public void serialize(Throwable value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (problem != null) {
                throw JsonMappingException.from(gen, problem);
            }
            if (fieldSerializers == null) {
                resolve(provider);
            }
            JsonSerializer<Object>[] serializers = fieldSerializers;
            List<Field> fields = shape.fields();
            gen.writeStartObject(value, fields.size() + 1);
            gen.writeStringField(ExceptionShape.MESSAGE, value.getMessage());
            for (int i = 0; i < serializers.length; i++) {
                Field field = fields.get(i);
                Object fieldValue;
                try {
                    fieldValue = field.get(value);
                } catch (IllegalAccessException e) {
                    throw JsonMappingException.from(gen, "cannot read field " + field.getName()
                            + " of " + shape.type().getName(), e);
                }
                gen.writeFieldName(field.getName());
                if (fieldValue == null) {
                    gen.writeNull();
                } else {
                    serializers[i].serialize(fieldValue, gen, provider);
                }
            }
            gen.writeEndObject();
        }
    }

    /**
     * Reads the map written by {@link ExceptionSerializer} into a new instance of exactly the
     * declared class; unknown keys are skipped and absent fields keep the value the constructor
     * gave them.
     */
    static final class ExceptionDeserializer extends StdDeserializer<Throwable> implements ResolvableDeserializer {

        private static final long serialVersionUID = 1L;

        private final transient ExceptionShape shape;
        private final String problem;
        private final transient Map<String, Integer> indexes = new HashMap<>();
        private transient volatile JsonDeserializer<Object>[] fieldDeserializers;

        ExceptionDeserializer(Class<?> type) {
            super(type);
            ExceptionShape shape = null;
            String problem = null;
            try {
                shape = ExceptionShape.of(type);
                List<Field> fields = shape.fields();
                for (int i = 0; i < fields.size(); i++) {
                    indexes.put(fields.get(i).getName(), i);
                }
            } catch (IllegalArgumentException e) {
                // See ExceptionSerializer: reported when used.
                problem = e.getMessage();
            }
            this.shape = shape;
            this.problem = problem;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void resolve(DeserializationContext ctxt) throws JsonMappingException {
            if (problem != null) {
                return;
            }
            List<Field> fields = shape.fields();
            @SuppressWarnings("rawtypes")
            JsonDeserializer<Object>[] deserializers = new JsonDeserializer[fields.size()];
            for (int i = 0; i < deserializers.length; i++) {
                JavaType type = ctxt.constructType(fields.get(i).getGenericType());
                deserializers[i] = ctxt.findRootValueDeserializer(type);
            }
            fieldDeserializers = deserializers;
        }

        /** One instance per exception class is enough: it holds no per-property state. */
        @Override
        public boolean isCachable() {
            return true;
        }

        @Override
        public Throwable deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (problem != null) {
                return ctxt.reportBadDefinition(ctxt.constructType(handledType()), problem);
            }
            if (fieldDeserializers == null) {
                resolve(ctxt);
            }
            JsonDeserializer<Object>[] deserializers = fieldDeserializers;
            if (!p.isExpectedStartObjectToken()) {
                return ctxt.reportInputMismatch(this, "expected a map for declared exception %s, got %s",
                        shape.type().getName(), p.currentToken());
            }
            List<Field> fields = shape.fields();
            Object[] values = new Object[fields.size()];
            boolean[] present = new boolean[values.length];
            String message = null;
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken token = p.nextToken();
                if (name.equals(ExceptionShape.MESSAGE)) {
                    if (token == JsonToken.VALUE_STRING) {
                        message = p.getText();
                    } else if (token != JsonToken.VALUE_NULL) {
                        return ctxt.reportInputMismatch(this, "expected a string or null as message of %s, got %s",
                                shape.type().getName(), token);
                    }
                    continue;
                }
                Integer index = indexes.get(name);
                if (index == null) {
                    p.skipChildren();
                    continue;
                }
                JsonDeserializer<Object> deserializer = deserializers[index];
                values[index] = token == JsonToken.VALUE_NULL
                        ? deserializer.getNullValue(ctxt)
                        : deserializer.deserialize(p, ctxt);
                present[index] = true;
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                return ctxt.reportInputMismatch(this, "malformed map for declared exception %s at %s",
                        shape.type().getName(), p.currentToken());
            }
            Throwable exception;
            try {
                exception = shape.instantiate(message);
            } catch (InvocationTargetException e) {
                throw ctxt.instantiationException(shape.type(), e.getCause());
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw ctxt.instantiationException(shape.type(), e);
            }
            for (int i = 0; i < values.length; i++) {
                if (!present[i]) {
                    continue;
                }
                Field field = fields.get(i);
                try {
                    field.set(exception, values[i]);
                } catch (IllegalAccessException | RuntimeException e) {
                    return ctxt.reportInputMismatch(this, "cannot set field %s of %s: %s",
                            field.getName(), shape.type().getName(), e);
                }
            }
            return exception;
        }
    }
}
