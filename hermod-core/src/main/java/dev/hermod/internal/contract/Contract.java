package dev.hermod.internal.contract;

import dev.hermod.AsyncResult;
import dev.hermod.tools.CompanionOf;
import dev.hermod.Remote;
import dev.hermod.RpcException;
import dev.hermod.tools.ServantOf;
import dev.hermod.codec.Codec;
import dev.hermod.codec.ValueCoder;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.concurrent.CompletionStage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operation model of one {@link Remote @Remote} interface, read and validated once and shared
 * by invocation (client proxies) and dispatch (servers). Immutable.
 *
 * <p>A parameter or result whose type is itself a {@code @Remote} interface is an object reference:
 * the object is exported rather than copied (see {@code ObjectTable}).
 *
 * <p>Validation rejects, with an {@link IllegalArgumentException} naming the method, anything
 * Hermod cannot carry: overloaded operation names, generic methods, parameter or result types the
 * codec cannot encode, declared exceptions it cannot rebuild.
 */
public final class Contract {
    private static final Set<Class<?>> TOO_BROAD =
            Set.of(Throwable.class, Exception.class, RuntimeException.class, Error.class);
    private static final int MAX_NAME_BYTES = 0xFFFF;

    private final Class<?> type;
    private final Class<?> companionOf;
    private final Map<String, Operation> byName;
    private final Map<Method, Operation> byMethod;
    /**
     * The operations by the very {@link Method} objects proxies hand over (each proxy class has
     * copies of its own), found by identity on every call, where {@link #byMethod} hashes names and
     * compares parameter types. Copied on write, once per method and proxy class.
     */
    private volatile Map<Method, Operation> byIdentity = new java.util.IdentityHashMap<>();

    private Contract(Class<?> type, Codec codec) {
        this.type = type;
        CompanionOf companion = type.getAnnotation(CompanionOf.class);
        this.companionOf = companion == null ? null : companion.value();
        Map<String, Operation> names = new LinkedHashMap<>();
        Map<Method, Operation> methods = new HashMap<>();
        Method[] all = type.getMethods();
        Arrays.sort(all, Comparator.comparing(Method::getName).thenComparing(Method::toGenericString));
        for (Method m : all) {
            if (!isRemoteOperation(m)) {
                continue;
            }
            Operation existing = names.get(m.getName());
            if (existing != null && Arrays.equals(existing.method().getParameterTypes(), m.getParameterTypes())) {
                methods.put(m, existing); // the same method inherited along two paths (a diamond)
                continue;
            }
            if (existing != null) {
                throw new IllegalArgumentException("overloaded operation name '" + m.getName()
                        + "': Hermod identifies operations by name, so each must be unique; rename one"
                        + " (for method " + describe(m) + ")");
            }
            Operation op = read(m, codec);
            names.put(op.name(), op);
            methods.put(m, op);
        }
        this.byName = Collections.unmodifiableMap(names);
        this.byMethod = Collections.unmodifiableMap(methods);
    }

    /**
     * Reads and validates a contract.
     *
     * @throws IllegalArgumentException if {@code type} is not a valid contract
     */
    public static Contract of(Class<?> type, Codec codec) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface; a contract is an"
                    + " interface annotated @Remote");
        }
        CompanionOf companion = type.getAnnotation(CompanionOf.class);
        ServantOf servantForm = type.getAnnotation(ServantOf.class);
        if (servantForm != null && !type.isAnnotationPresent(Remote.class)) {
            throw new IllegalArgumentException(type.getName() + " is a servant companion of "
                    + servantForm.value().getName() + ", for servers to bind; call "
                    + servantForm.value().getSimpleName() + " or its asynchronous companion instead");
        }
        if (!type.isAnnotationPresent(Remote.class) && companion == null) {
            throw new IllegalArgumentException(type.getName() + " is not annotated @Remote");
        }
        if (companion != null && !companion.value().isAnnotationPresent(Remote.class)) {
            throw new IllegalArgumentException(type.getName() + " is a companion of "
                    + companion.value().getName() + ", which is not annotated @Remote");
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw new IllegalArgumentException("contract " + type.getName() + " must be public");
        }
        if (companion != null) {
            Companions.checkClient(type, new Contract(companion.value(), codec));
        }
        return new Contract(type, codec);
    }

    /** Tells whether a method of a contract interface is sent over the wire. */
    static boolean isRemoteOperation(Method m) {
        if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || !Modifier.isAbstract(m.getModifiers())) {
            return false;
        }
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return false; // redeclares equals, hashCode or toString: answered locally
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    private Operation read(Method m, Codec codec) {
        if (m.getTypeParameters().length > 0) {
            throw invalid("generic methods cannot be remote operations", m);
        }
        if (m.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw invalid("operation name too long", m);
        }
        for (Type t : m.getGenericParameterTypes()) {
            requirePublic(t, m);
        }
        boolean async = isAsyncResult(m.getReturnType()) || m.getReturnType() == CompletionStage.class;
        if (!async) {
            requirePublic(m.getGenericReturnType(), m);
        } else if (m.getGenericReturnType() instanceof ParameterizedType p) {
            requirePublic(p.getActualTypeArguments()[0], m);
        }
        // A parameter or result typed as a @Remote interface carries an object reference,
        // which travels as a number (see ObjectTable); the codec sees only that number.
        // A Flow.Publisher parameter is a stream of its own: the payload holds its slot number.
        Type[] params = m.getGenericParameterTypes();
        Class<?>[] references = new Class<?>[params.length];
        ValueCoder[] streamed = new ValueCoder[params.length];
        List<Type> wireTypes = new ArrayList<>();
        boolean anyReference = false;
        boolean anyStream = false;
        for (int i = 0; i < params.length; i++) {
            Type item = StreamTypes.itemType(params[i], m);
            if (item != null) {
                streamed[i] = StreamTypes.itemCoder(codec, item, m);
                anyStream = true;
                wireTypes.add(Integer.class);
                continue;
            }
            references[i] = referenceType(params[i]);
            anyReference |= references[i] != null;
            wireTypes.add(references[i] != null ? Long.class : params[i]);
        }
        ValueCoder args;
        try {
            args = codec.coder(wireTypes);
        } catch (IllegalArgumentException e) {
            throw invalid("cannot carry the parameters: " + e.getMessage(), m, e);
        }
        Type resultType = m.getGenericReturnType();
        Type resultItem = StreamTypes.itemType(resultType, m);
        if (resultItem != null) {
            resultType = resultItem; // the result coder codes one item
        } else if (async) {
            if (!(resultType instanceof ParameterizedType p)) {
                throw invalid("an asynchronous operation must name its result type, e.g. "
                        + m.getReturnType().getSimpleName() + "<String>", m);
            }
            resultType = p.getActualTypeArguments()[0];
            if (resultType == Void.class) {
                resultType = void.class;
            }
        } else if (java.util.concurrent.Future.class.isAssignableFrom(m.getReturnType())) {
            throw invalid("return AsyncResult<T> or CompletionStage<T> for an asynchronous operation, not "
                    + m.getReturnType().getSimpleName(), m);
        }
        Class<?> resultReference = referenceType(resultType);
        ValueCoder result;
        try {
            result = codec.coder(List.of(resultType == void.class ? Void.class
                    : resultReference != null ? Long.class : resultType));
        } catch (IllegalArgumentException e) {
            throw invalid("cannot carry the result type: " + e.getMessage(), m, e);
        }
        List<Class<? extends Throwable>> declared = new ArrayList<>();
        Map<String, ValueCoder> coders = new HashMap<>();
        for (Class<?> ex : declaredExceptions(m)) {
            if (RpcException.class.isAssignableFrom(ex)) {
                continue; // Hermod's own failures are never user exceptions
            }
            if (TOO_BROAD.contains(ex)) {
                throw invalid("declares " + ex.getSimpleName() + ", which is too broad to travel as a"
                        + " declared exception; declare specific exception types", m);
            }
            if (!Modifier.isPublic(ex.getModifiers()) || Modifier.isAbstract(ex.getModifiers())) {
                throw invalid("declared exception " + ex.getName() + " must be a public concrete class", m);
            }
            try {
                coders.put(ex.getName(), codec.coder(List.of(ex)));
            } catch (IllegalArgumentException e) {
                throw invalid("cannot carry declared exception " + ex.getName() + ": " + e.getMessage(), m, e);
            }
            @SuppressWarnings("unchecked")
            Class<? extends Throwable> t = (Class<? extends Throwable>) ex;
            declared.add(t);
        }
        requireTypedResultCovers(m, declared);
        // Most specific first, so a thrown subclass travels as the closest declared type.
        declared.sort((a, b) -> a.isAssignableFrom(b) ? 1 : b.isAssignableFrom(a) ? -1 : 0);
        Operation.Streaming streaming = null;
        if (resultItem != null || anyStream) {
            if (resultReference != null) {
                throw invalid("a stream of object references cannot travel; stream data", m);
            }
            streaming = new Operation.Streaming(resultItem != null, streamed);
        }
        int marks = marks(m);
        if (anyReference || resultReference != null) {
            // An object is exported on one connection: a remembered reply replayed on another
            // would name nothing there, or another object. Such a call is not sent again once
            // it may have run, as if unmarked.
            marks &= ~Operation.DEDUPLICATED;
        }
        return new Operation(this, m, args, result, resultType, List.copyOf(declared), Map.copyOf(coders), async,
                anyReference ? references : null, resultReference, marks, streaming);
    }

    /**
     * The operation's marks: {@code @Idempotent} and {@code @Deduplicated} on the method or its interface. A companion's
     * are those of the same method in the contract it accompanies.
     */
    private int marks(Method m) {
        Method original = m;
        if (companionOf != null) {
            try {
                original = companionOf.getMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                return 0; // reported by declaredExceptions
            }
        }
        int marks = 0;
        if (original.isAnnotationPresent(dev.hermod.Idempotent.class)
                || original.getDeclaringClass().isAnnotationPresent(dev.hermod.Idempotent.class)) {
            marks |= Operation.IDEMPOTENT;
        }
        if (original.isAnnotationPresent(dev.hermod.Deduplicated.class)
                || original.getDeclaringClass().isAnnotationPresent(dev.hermod.Deduplicated.class)) {
            marks |= Operation.DEDUPLICATED;
        }
        return marks;
    }

    /** {@code AsyncResult} or one of its typed forms: what a proxy's asynchronous method returns. */
    private static boolean isAsyncResult(Class<?> c) {
        return c == AsyncResult.class || c == AsyncResult.Throwing.class || c == AsyncResult.Throwing2.class;
    }

    /**
     * A typed result ({@code AsyncResult.Throwing<String, NoSuchEmployee>}) declares what its
     * {@code value()} throws; the compiler trusts it, so every checked exception the operation
     * declares must be one of those (or a subclass), else a caller's {@code catch} would miss it.
     * The annotation processor checks hand-written companions the same way at compile time.
     */
    private static void requireTypedResultCovers(Method m, List<Class<? extends Throwable>> declared) {
        if (!(m.getGenericReturnType() instanceof ParameterizedType p)
                || p.getRawType() != AsyncResult.Throwing.class && p.getRawType() != AsyncResult.Throwing2.class) {
            return; // not a typed result: AsyncResult<T>'s value() is declared throws Exception
        }
        Type[] args = p.getActualTypeArguments();
        List<Class<?>> allowed = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            allowed.add(boundOf(args[i]));
        }
        for (Class<? extends Throwable> ex : declared) {
            if (RuntimeException.class.isAssignableFrom(ex) || Error.class.isAssignableFrom(ex)) {
                continue;
            }
            if (allowed.stream().noneMatch(a -> a.isAssignableFrom(ex))) {
                StringBuilder only = new StringBuilder();
                for (Class<?> a : allowed) {
                    only.append(only.length() == 0 ? "" : ", ").append(a.getSimpleName());
                }
                throw invalid("its result type lets value() throw only " + only + ", but the operation"
                        + " declares " + ex.getName() + "; name it among the type arguments, or return"
                        + " AsyncResult<T>, whose value() throws Exception", m);
            }
        }
    }

    /** The class a type argument stands for: itself, or its upper bound. */
    private static Class<?> boundOf(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return boundOf(p.getRawType());
        }
        if (t instanceof java.lang.reflect.WildcardType w) {
            return boundOf(w.getUpperBounds()[0]);
        }
        if (t instanceof java.lang.reflect.TypeVariable<?> v) {
            return boundOf(v.getBounds()[0]);
        }
        return Exception.class;
    }

    /** The contract a value of type {@code t} is a reference to, or null if it is carried as data. */
    private static Class<?> referenceType(Type t) {
        return t instanceof Class<?> c && c.isInterface() && c.isAnnotationPresent(Remote.class) ? c : null;
    }

    /**
     * The exceptions an operation declares. A companion interface declares none of its own: they
     * are those of the same operation in the contract it accompanies.
     */
    private Class<?>[] declaredExceptions(Method m) {
        if (companionOf == null) {
            return m.getExceptionTypes();
        }
        try {
            Method original = companionOf.getMethod(m.getName(), m.getParameterTypes());
            return original.getExceptionTypes();
        } catch (NoSuchMethodException e) {
            throw invalid("companion of " + companionOf.getName() + " has an operation that "
                    + companionOf.getSimpleName() + " does not declare with these parameters", m);
        }
    }

    /** Proxies live in their own module and can only name public types. */
    private static void requirePublic(Type t, Method m) {
        if (t instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
                if (!k.isPrimitive() && !Modifier.isPublic(k.getModifiers())) {
                    throw invalid("type " + c.getName() + " is not public; every type in an operation's"
                            + " signature must be public", m);
                }
            }
        } else if (t instanceof java.lang.reflect.ParameterizedType p) {
            requirePublic(p.getRawType(), m);
            for (Type a : p.getActualTypeArguments()) {
                requirePublic(a, m);
            }
        } else if (t instanceof java.lang.reflect.GenericArrayType g) {
            requirePublic(g.getGenericComponentType(), m);
        }
    }

    private static IllegalArgumentException invalid(String what, Method m) {
        return invalid(what, m, null);
    }

    private static IllegalArgumentException invalid(String what, Method m, Throwable cause) {
        return new IllegalArgumentException(what + " (for method " + describe(m) + ")", cause);
    }

    static String describe(Method m) {
        StringBuilder sb = new StringBuilder(m.getDeclaringClass().getSimpleName()).append('.')
                .append(m.getName()).append('(');
        Class<?>[] params = m.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(params[i].getSimpleName());
        }
        return sb.append(')').toString();
    }

    /** The interface. */
    public Class<?> type() {
        return type;
    }

    /** The {@code @Remote} interface: the type, or the one it is the asynchronous companion of. */
    public Class<?> remoteType() {
        return companionOf != null ? companionOf : type;
    }

    /** The operation of that name, or null. */
    public Operation operation(String name) {
        return byName.get(name);
    }

    /** The operation of that interface method, or null for methods answered locally. */
    public Operation operation(Method method) {
        Operation op = byIdentity.get(method);
        if (op != null) {
            return op;
        }
        op = byMethod.get(method);
        if (op != null) {
            synchronized (this) {
                Map<Method, Operation> next = new java.util.IdentityHashMap<>(byIdentity);
                next.put(method, op);
                byIdentity = next;
            }
        }
        return op;
    }

    /** All operations, by name. */
    public Map<String, Operation> operations() {
        return byName;
    }
}
