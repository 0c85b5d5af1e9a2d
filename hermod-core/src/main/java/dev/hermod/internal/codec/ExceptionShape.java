package dev.hermod.internal.codec;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the codec carries of a declared exception class: its message and the instance fields its
 * own hierarchy declares below {@link Throwable}, and how to rebuild an instance of exactly that
 * class.
 *
 * <p>Built once per class by {@link #of(Class)}, which also enforces the rules for declared
 * exceptions, so an unsupported class is rejected when the coder is created, not on the first
 * failing call. Instances are immutable and thread-safe.
 */
final class ExceptionShape {

    /** The map key that carries {@link Throwable#getMessage()}. */
    static final String MESSAGE = "message";

    private final Class<? extends Throwable> type;
    private final Constructor<? extends Throwable> messageConstructor;
    private final Constructor<? extends Throwable> noArgConstructor;
    private final List<Field> fields;

    private ExceptionShape(
            Class<? extends Throwable> type,
            Constructor<? extends Throwable> messageConstructor,
            Constructor<? extends Throwable> noArgConstructor,
            List<Field> fields) {
        this.type = type;
        this.messageConstructor = messageConstructor;
        this.noArgConstructor = noArgConstructor;
        this.fields = fields;
    }

    /**
     * Reads the shape of a declared exception class.
     *
     * @throws IllegalArgumentException if the class is abstract, has neither a public
     *     {@code (String message)} nor a public no-argument constructor, has a field named
     *     {@code message} or two fields of the same name, or its fields cannot be made accessible
     */
    static ExceptionShape of(Class<?> declared) {
        if (!Throwable.class.isAssignableFrom(declared)) {
            throw new IllegalArgumentException("cannot carry " + declared.getName() + ": not an exception");
        }
        Class<? extends Throwable> type = declared.asSubclass(Throwable.class);
        String name = type.getName();
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(
                    "declared exception " + name + " is abstract: declare a concrete class");
        }
        Constructor<? extends Throwable> messageConstructor = publicConstructor(type, String.class);
        Constructor<? extends Throwable> noArgConstructor =
                messageConstructor == null ? publicConstructor(type) : null;
        if (messageConstructor == null && noArgConstructor == null) {
            throw new IllegalArgumentException("declared exception " + name
                    + " needs a public no-argument or (String message) constructor");
        }
        List<Field> fields = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Class<?> c = type; c != Throwable.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers) || field.isSynthetic()) {
                    continue;
                }
                if (field.getName().equals(MESSAGE)) {
                    throw new IllegalArgumentException("declared exception " + name + " has a field named '"
                            + MESSAGE + "' (in " + c.getName() + "), which would clash with the exception"
                            + " message: rename it or make it transient");
                }
                if (!names.add(field.getName())) {
                    throw new IllegalArgumentException("declared exception " + name
                            + " has two fields named '" + field.getName() + "': rename one of them");
                }
                makeAccessible(field, name);
                fields.add(field);
            }
        }
        Constructor<? extends Throwable> constructor =
                messageConstructor != null ? messageConstructor : noArgConstructor;
        try {
            constructor.setAccessible(true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("declared exception " + name
                    + ": cannot access its constructor (" + e.getMessage() + "); open package "
                    + type.getPackageName() + " to module dev.hermod", e);
        }
        return new ExceptionShape(type, messageConstructor, noArgConstructor, List.copyOf(fields));
    }

    Class<? extends Throwable> type() {
        return type;
    }

    /** The carried fields, those of the declared class first, each already accessible. */
    List<Field> fields() {
        return fields;
    }

    /**
     * Creates an instance of exactly the declared class: with the {@code (String)} constructor if
     * there is one, otherwise with the no-argument constructor, in which case {@code message} is
     * dropped and the instance keeps the message that constructor sets.
     *
     * @throws ReflectiveOperationException if the constructor fails
     */
    Throwable instantiate(String message) throws ReflectiveOperationException {
        return messageConstructor != null
                ? messageConstructor.newInstance(message)
                : noArgConstructor.newInstance();
    }

    private static Constructor<? extends Throwable> publicConstructor(
            Class<? extends Throwable> type, Class<?>... parameters) {
        try {
            Constructor<? extends Throwable> constructor = type.getConstructor(parameters);
            return Modifier.isPublic(constructor.getModifiers()) ? constructor : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static void makeAccessible(Field field, String exceptionName) {
        try {
            field.setAccessible(true);
        } catch (RuntimeException e) {
            // InaccessibleObjectException (Java 9+) or SecurityException: the package is not open.
            throw new IllegalArgumentException("declared exception " + exceptionName
                    + ": cannot access field " + field.getDeclaringClass().getName() + "." + field.getName()
                    + " (" + e.getMessage() + "); open package "
                    + field.getDeclaringClass().getPackageName() + " to module dev.hermod", e);
        }
    }

    @Override
    public String toString() {
        return "ExceptionShape[" + type.getName() + "]";
    }
}
