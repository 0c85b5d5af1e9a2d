package dev.hermod.internal.codec;

import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.deser.SettableBeanProperty;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentNavigableMap;

/**
 * Decides, when a coder is created, whether a declared type can be carried, and says precisely
 * why not.
 *
 * <p>The check has two passes. The first walks the {@link Type} exactly as declared, before
 * Jackson's type factory would quietly turn wildcards, type variables and raw types into
 * {@code Object}. The second walks Jackson's resolved view of the type: container elements,
 * {@code Optional} contents, bean and record properties (through the deserializer Jackson will
 * actually use, so generic properties are resolved) and the fields of declared exceptions,
 * building each deserializer on the way so that a type Jackson cannot handle fails here and not
 * on the first call.
 *
 * <p>One instance checks one declared type; it is not thread-safe.
 */
final class TypeChecker {

    /**
     * The JDK container interfaces (and {@link EnumSet}) that Jackson decodes into its standard
     * implementation; every other interface or abstract class is rejected.
     */
    private static final Set<Class<?>> CONTAINER_ABSTRACTIONS = Set.of(
            Collection.class, List.class, Set.class, SortedSet.class, NavigableSet.class,
            Queue.class, Deque.class, EnumSet.class,
            Map.class, SortedMap.class, NavigableMap.class, ConcurrentMap.class, ConcurrentNavigableMap.class);

    private final ObjectMapper mapper;
    private final DefaultDeserializationContext deserialization;
    private final SerializerProvider serialization;
    private final Type root;
    private final Set<JavaType> checked = new HashSet<>();
    private final Deque<String> path = new ArrayDeque<>();

    private TypeChecker(ObjectMapper mapper, Type root) {
        this.mapper = mapper;
        DeserializationConfig config = mapper.getDeserializationConfig();
        this.deserialization =
                ((DefaultDeserializationContext) mapper.getDeserializationContext()).createDummyInstance(config);
        this.serialization = mapper.getSerializerProviderInstance();
        this.root = root;
    }

    /**
     * Checks one declared type (not {@code void}/{@code Void}, which the caller handles) and
     * returns Jackson's view of it.
     *
     * @throws IllegalArgumentException naming the type and the reason if it cannot be carried
     */
    static JavaType check(ObjectMapper mapper, Type declared) {
        TypeChecker checker = new TypeChecker(mapper, declared);
        checker.checkDeclared(declared);
        JavaType type = mapper.getTypeFactory().constructType(declared);
        checker.checkResolved(type);
        checker.checkSerializer(type);
        return type;
    }

    /** First pass: the reflective type as written in the contract. */
    private void checkDeclared(Type type) {
        if (type instanceof Class<?> c) {
            if (c.isArray()) {
                checkDeclared(c.getComponentType());
            } else if (c.getTypeParameters().length > 0) {
                throw reject(c.getName(), "raw type: declare its type arguments, for example "
                        + c.getSimpleName() + "<String>");
            }
        } else if (type instanceof ParameterizedType p) {
            for (Type argument : p.getActualTypeArguments()) {
                checkDeclared(argument);
            }
        } else if (type instanceof GenericArrayType a) {
            checkDeclared(a.getGenericComponentType());
        } else if (type instanceof WildcardType) {
            throw reject(type.getTypeName(), "wildcard type: declare a concrete type argument");
        } else if (type instanceof TypeVariable<?>) {
            throw reject(type.getTypeName(), "type variable: declare a concrete type");
        } else {
            throw reject(type.getTypeName(), "unsupported kind of type " + type.getClass().getName());
        }
    }

    /** Second pass: Jackson's resolved type, recursively. */
    private void checkResolved(JavaType type) {
        Class<?> raw = type.getRawClass();
        if (type.isPrimitive() || !checked.add(type)) {
            return;
        }
        String name = type.toCanonical();
        if (raw == Object.class) {
            throw reject(name, "declare a concrete type");
        }
        if (raw == Void.class || raw == void.class) {
            throw reject(name, "void can only be declared as a result type");
        }
        if (raw == Class.class) {
            throw reject(name, "classes are not carried: nothing on the wire may name a class");
        }
        if (type.isArrayType()) {
            nested("element", type.getContentType());
            return;
        }
        if (type.isContainerType()) {
            if (isAbstract(raw) && !CONTAINER_ABSTRACTIONS.contains(raw)) {
                throw reject(name, "abstract container type: declare one of the JDK collection or map"
                        + " interfaces or a concrete class");
            }
            if (type.isMapLikeType()) {
                nested("map key", type.getKeyType());
                nested("map value", type.getContentType());
            } else {
                nested("element", type.getContentType());
            }
            findDeserializer(type, name);
            return;
        }
        if (type.isReferenceType()) {
            nested("content", type.getReferencedType());
            findDeserializer(type, name);
            return;
        }
        if (raw.isEnum()) {
            findDeserializer(type, name);
            return;
        }
        if (Throwable.class.isAssignableFrom(raw)) {
            ExceptionShape shape;
            try {
                shape = ExceptionShape.of(raw);
            } catch (IllegalArgumentException e) {
                if (path.isEmpty()) {
                    throw e;
                }
                throw reject(name, e.getMessage(), e);
            }
            for (Field field : shape.fields()) {
                path.addLast("field " + field.getName());
                checkDeclared(field.getGenericType());
                checkResolved(mapper.getTypeFactory().constructType(field.getGenericType()));
                path.removeLast();
            }
            findDeserializer(type, name);
            return;
        }
        if (raw == java.nio.ByteBuffer.class) {
            throw reject(name, "a ByteBuffer is carried only as a whole parameter or result, not inside"
                    + " another type: declare byte[] here");
        }
        if (isAbstract(raw)) {
            throw reject(name, "interfaces and abstract classes cannot be decoded, since nothing on the"
                    + " wire may choose the class: declare a concrete type");
        }
        JsonDeserializer<Object> deserializer = findDeserializer(type, name);
        if (deserializer instanceof BeanDeserializerBase bean) {
            checkBean(type, name, bean);
        }
    }

    private void checkBean(JavaType type, String name, BeanDeserializerBase bean) {
        DeserializationConfig config = mapper.getDeserializationConfig();
        ValueInstantiator instantiator = bean.getValueInstantiator();
        if (instantiator == null || !instantiator.canInstantiate()) {
            throw reject(name, "no usable constructor: add a public no-argument constructor (with setters)"
                    + " or a @JsonCreator constructor, or make it a record");
        }
        if (instantiator.canCreateUsingDelegate()) {
            nested("delegate", instantiator.getDelegateType(config));
        }
        if (instantiator.canCreateUsingArrayDelegate()) {
            nested("delegate", instantiator.getArrayDelegateType(config));
        }
        for (Iterator<SettableBeanProperty> it = bean.creatorProperties(); it.hasNext(); ) {
            SettableBeanProperty property = it.next();
            nested("property " + property.getName(), property.getType());
        }
        for (Iterator<SettableBeanProperty> it = bean.properties(); it.hasNext(); ) {
            SettableBeanProperty property = it.next();
            nested("property " + property.getName(), property.getType());
        }
        JsonSerializer<Object> serializer = findSerializer(type, name);
        if (!serializer.properties().hasNext() && !type.isRecordType() && hasInstanceFields(type.getRawClass())) {
            throw reject(name, "no property is visible to the codec, so its state would be lost: add"
                    + " public getters and setters, or make it a record");
        }
    }

    private void nested(String where, JavaType type) {
        path.addLast(where);
        checkResolved(type);
        path.removeLast();
    }

    private JsonDeserializer<Object> findDeserializer(JavaType type, String name) {
        try {
            return deserialization.findContextualValueDeserializer(type, null);
        } catch (Exception e) {
            throw rejectDeserializer(name, e);
        }
    }

    private IllegalArgumentException rejectDeserializer(String name, Exception e) {
        String reason = "cannot build its deserializer: " + e.getMessage();
        if (String.valueOf(e.getMessage()).contains("PolymorphicTypeValidator")) {
            // Jackson's message names the validator but not the rule behind it.
            reason += "; type ids naming classes (@JsonTypeInfo with Id.CLASS or Id.MINIMAL_CLASS) are"
                    + " never accepted, use Id.NAME with @JsonSubTypes";
        }
        return reject(name, reason, e);
    }

    private JsonSerializer<Object> findSerializer(JavaType type, String name) {
        try {
            return serialization.findValueSerializer(type, null);
        } catch (Exception e) {
            throw reject(name, "cannot build its serializer: " + e.getMessage(), e);
        }
    }

    /** Builds the root (de)serializers exactly as the coder will use them, polymorphism included. */
    private void checkSerializer(JavaType type) {
        String name = type.toCanonical();
        try {
            deserialization.findRootValueDeserializer(type);
        } catch (Exception e) {
            throw rejectDeserializer(name, e);
        }
        try {
            serialization.findTypedValueSerializer(type, true, null);
        } catch (Exception e) {
            throw reject(name, "cannot build its serializer: " + e.getMessage(), e);
        }
    }

    private static boolean isAbstract(Class<?> raw) {
        return raw.isInterface() || (Modifier.isAbstract(raw.getModifiers()) && !raw.isArray() && !raw.isPrimitive());
    }

    private static boolean hasInstanceFields(Class<?> raw) {
        for (Class<?> c = raw; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers) && !field.isSynthetic()) {
                    return true;
                }
            }
        }
        return false;
    }

    private IllegalArgumentException reject(String what, String reason) {
        return reject(what, reason, null);
    }

    private IllegalArgumentException reject(String what, String reason, Exception cause) {
        String message = path.isEmpty()
                ? "cannot carry " + root.getTypeName() + ": " + reason
                : "cannot carry " + what + " (in " + root.getTypeName() + ", at "
                        + String.join(" > ", path) + "): " + reason;
        return new IllegalArgumentException(message, cause);
    }
}
