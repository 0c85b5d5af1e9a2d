package dev.hermod.internal.contract;

import dev.hermod.AsyncResult;
import dev.hermod.tools.CompanionOf;
import dev.hermod.tools.ServantOf;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Checks an interface that claims to accompany a contract against the contract's operations, as
 * the annotation processor does at compile time, so that a hand-written interface that does not
 * match fails where it is first used, with an {@link IllegalArgumentException} naming the method.
 *
 * <p>A client companion ({@link CompanionOf}) may offer a subset of the operations; each method
 * has an operation's name and parameter types and returns {@code AsyncResult} (or a subtype) or
 * {@code CompletionStage} of the operation's result type. A servant form ({@link ServantOf}) has a
 * method for every operation, with its name and parameter types, returning either the operation's
 * declared result type or a {@code CompletionStage} (or subtype) of its result type, and declaring
 * no checked exception the operation does not declare. Stateless.
 */
public final class Companions {
    private Companions() {}

    /**
     * How a servant answers one operation: the method called on it, and whether it answers later,
     * when the {@link CompletionStage} the method returns completes.
     */
    public record Answer(Method method, boolean later) {}

    /**
     * Checks a client companion against its contract.
     *
     * @throws IllegalArgumentException naming the first method that matches no operation
     */
    static void checkClient(Class<?> companion, Contract contract) {
        for (Method m : sorted(companion)) {
            Operation op = operationFor(m, contract);
            if (op.streaming() != null && op.streaming().result()
                    && m.getGenericReturnType().equals(op.method().getGenericReturnType())) {
                continue; // a stream is asynchronous already: the companion returns the same publisher
            }
            Type value = stageValue(m.getGenericReturnType());
            boolean proxyable = m.getReturnType() == CompletionStage.class
                    || AsyncResult.class.isAssignableFrom(m.getReturnType());
            if (!proxyable || !boxed(op.resultType()).equals(value)) {
                String result = name(boxed(op.resultType()));
                throw mismatch("returns " + name(m.getGenericReturnType()) + ", but " + describe(op.method())
                        + " returns " + name(op.method().getGenericReturnType()) + ": a companion method returns"
                        + " AsyncResult<" + result + "> or CompletionStage<" + result + ">", m);
            }
        }
    }

    /**
     * Maps each operation of {@code contract} to the method of {@code servantType} that answers it.
     *
     * @param servantType an interface annotated {@code @ServantOf(contract)}
     * @return one answer per operation, by operation name
     * @throws IllegalArgumentException if the interface does not match the contract; the message
     *     names the method
     */
    public static Map<String, Answer> answers(Contract contract, Class<?> servantType) {
        if (!servantType.isInterface() || !Modifier.isPublic(servantType.getModifiers())) {
            throw new IllegalArgumentException("servant companion " + servantType.getName()
                    + " must be a public interface");
        }
        Map<String, Answer> answers = new LinkedHashMap<>();
        for (Method m : sorted(servantType)) {
            Operation op = operationFor(m, contract);
            if (answers.containsKey(op.name())) {
                throw mismatch("answers operation '" + op.name() + "' a second time", m);
            }
            boolean later;
            if (m.getGenericReturnType().equals(op.method().getGenericReturnType())) {
                later = op.isAsync();
            } else if (CompletionStage.class.isAssignableFrom(m.getReturnType())
                    && boxed(op.resultType()).equals(stageValue(m.getGenericReturnType()))) {
                later = true;
            } else {
                throw mismatch("returns " + name(m.getGenericReturnType()) + ", but " + describe(op.method())
                        + " returns " + name(op.method().getGenericReturnType()) + ": a servant companion method"
                        + " returns " + name(op.method().getGenericReturnType()) + " or CompletionStage<"
                        + name(boxed(op.resultType())) + ">", m);
            }
            for (Class<?> thrown : m.getExceptionTypes()) {
                if (checked(thrown) && Arrays.stream(op.method().getExceptionTypes()).noneMatch(d -> d.isAssignableFrom(thrown))) {
                    throw mismatch("declares " + thrown.getSimpleName() + ", which " + describe(op.method())
                            + " does not declare: a servant may throw only what the operation declares", m);
                }
            }
            answers.put(op.name(), new Answer(m, later));
        }
        for (Operation op : contract.operations().values()) {
            if (!answers.containsKey(op.name())) {
                throw new IllegalArgumentException(servantType.getSimpleName() + " has no method for operation "
                        + describe(op.method()) + ": a servant companion answers every operation of "
                        + contract.type().getSimpleName() + " (for method " + describe(op.method()) + ")");
            }
        }
        return Map.copyOf(answers);
    }

    /** The operation of {@code m}'s name and parameter types. */
    private static Operation operationFor(Method m, Contract contract) {
        Operation op = contract.operation(m.getName());
        if (op == null) {
            throw mismatch("matches no operation of " + contract.type().getSimpleName()
                    + ": it has no operation named '" + m.getName() + "'", m);
        }
        if (!Arrays.equals(m.getGenericParameterTypes(), op.method().getGenericParameterTypes())) {
            throw mismatch("does not match " + describe(op.method()) + ": the parameter types differ", m);
        }
        return op;
    }

    /** The interface's would-be operations, in a stable order. */
    private static Method[] sorted(Class<?> type) {
        Method[] all = Arrays.stream(type.getMethods()).filter(Contract::isRemoteOperation).toArray(Method[]::new);
        Arrays.sort(all, Comparator.comparing(Method::getName).thenComparing(Method::toGenericString));
        return all;
    }

    /**
     * The value type {@code T} that a {@code CompletionStage<T>} subtype carries, following type
     * arguments through its supertypes; null for a raw type or a type that is no stage.
     */
    static Type stageValue(Type type) {
        return stageValue(type, Map.of());
    }

    private static Type stageValue(Type type, Map<TypeVariable<?>, Type> outer) {
        Class<?> raw;
        Map<TypeVariable<?>, Type> bindings = new HashMap<>();
        if (type instanceof ParameterizedType p) {
            raw = (Class<?>) p.getRawType();
            TypeVariable<?>[] vars = raw.getTypeParameters();
            Type[] args = p.getActualTypeArguments();
            for (int i = 0; i < vars.length; i++) {
                bindings.put(vars[i], args[i] instanceof TypeVariable<?> v && outer.containsKey(v) ? outer.get(v) : args[i]);
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
        } else {
            return null;
        }
        if (raw == CompletionStage.class) {
            return bindings.get(CompletionStage.class.getTypeParameters()[0]);
        }
        if (!CompletionStage.class.isAssignableFrom(raw)) {
            return null;
        }
        for (Type parent : raw.getGenericInterfaces()) {
            Type found = stageValue(parent, bindings);
            if (found != null) {
                return found;
            }
        }
        return raw.getGenericSuperclass() == null ? null : stageValue(raw.getGenericSuperclass(), bindings);
    }

    private static Type boxed(Type t) {
        if (!(t instanceof Class<?> c) || !c.isPrimitive()) {
            return t;
        }
        return c == void.class ? Void.class
                : java.lang.invoke.MethodType.methodType(c).wrap().returnType();
    }

    private static boolean checked(Class<?> thrown) {
        return !RuntimeException.class.isAssignableFrom(thrown) && !Error.class.isAssignableFrom(thrown);
    }

    /** A type as people write it: {@code List<String>} for {@code java.util.List<java.lang.String>}. */
    private static String name(Type type) {
        return type.getTypeName().replaceAll("\\b(?:[a-z_][\\w$]*\\.)+(?=[A-Z])", "").replace('$', '.');
    }

    private static String describe(Method m) {
        return Contract.describe(m);
    }

    private static IllegalArgumentException mismatch(String what, Method m) {
        return new IllegalArgumentException(what + " (for method " + describe(m) + ")");
    }
}
