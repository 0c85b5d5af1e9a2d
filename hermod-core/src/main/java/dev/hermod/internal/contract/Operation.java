package dev.hermod.internal.contract;

import dev.hermod.codec.ValueCoder;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/**
 * One remote operation of a contract, read once from its {@link Method}: everything invocation
 * and dispatch need per call, precomputed. Immutable.
 */
public final class Operation {
    private final Contract contract;
    private final Method method;
    private final String name;
    private final ValueCoder argumentCoder;
    private final ValueCoder resultCoder;
    private final Type resultType;
    private final List<Class<? extends Throwable>> declaredExceptions;
    private final Map<String, ValueCoder> exceptionCoders;
    private final boolean async;

    private final ValueCoder untypedException;
    private final Class<?>[] argumentReferences;
    private final Class<?> resultReference;
    /** {@link #IDEMPOTENT} and {@link #DEDUPLICATED} bits, from the contract's annotations. */
    private final int marks;
    private final Streaming streaming;

    /**
     * What streams an operation has (PROTOCOL.md section 26).
     *
     * @param result whether the method returns a {@code Flow.Publisher}: the result coder codes one item
     * @param parameters for each parameter, the coder of one item if it is a {@code Flow.Publisher},
     *     else null; its slot on the wire is its index + 1
     */
    public record Streaming(boolean result, ValueCoder[] parameters) {
        /** Whether parameter {@code index} is a stream. */
        public boolean parameter(int index) {
            return index >= 0 && index < parameters.length && parameters[index] != null;
        }
    }
    /** The operation is {@code @Idempotent}. */
    static final int IDEMPOTENT = 1;
    /** The operation is {@code @Deduplicated}. */
    static final int DEDUPLICATED = 2;

    Operation(Contract contract, Method method, ValueCoder argumentCoder, ValueCoder resultCoder,
            Type resultType, List<Class<? extends Throwable>> declaredExceptions,
            Map<String, ValueCoder> exceptionCoders, boolean async, Class<?>[] argumentReferences,
            Class<?> resultReference, int marks, Streaming streaming) {
        this(contract, method, method.getName(), argumentCoder, resultCoder, resultType, declaredExceptions,
                exceptionCoders, async, null, argumentReferences, resultReference, marks, streaming);
    }

    /** Whether running the operation twice has the effect of running it once ({@code @Idempotent}). */
    public boolean isIdempotent() {
        return (marks & IDEMPOTENT) != 0;
    }

    /** Whether the server runs each call of it at most once, however often it is re-sent ({@code @Deduplicated}). */
    public boolean isDeduplicated() {
        return (marks & DEDUPLICATED) != 0;
    }

    private Operation(Contract contract, Method method, String name, ValueCoder argumentCoder,
            ValueCoder resultCoder, Type resultType, List<Class<? extends Throwable>> declaredExceptions,
            Map<String, ValueCoder> exceptionCoders, boolean async, ValueCoder untypedException,
            Class<?>[] argumentReferences, Class<?> resultReference, int marks, Streaming streaming) {
        this.marks = marks;
        this.streaming = streaming;
        this.argumentReferences = argumentReferences;
        this.resultReference = resultReference;
        this.contract = contract;
        this.method = method;
        this.name = name;
        this.untypedException = untypedException;
        this.argumentCoder = argumentCoder;
        this.resultCoder = resultCoder;
        this.resultType = resultType;
        this.declaredExceptions = declaredExceptions;
        this.exceptionCoders = exceptionCoders;
        this.async = async;
    }

    /**
     * Tells whether the method returns {@code AsyncResult} or {@code CompletionStage}: a proxy
     * returns at once, and a servant answers when the returned stage completes.
     */
    public boolean isAsync() {
        return async;
    }

    /**
     * An operation known only by name, for dynamic invocation: arguments and result travel as
     * plain data, and a declared exception arrives as a map of its fields.
     *
     * @throws UnsupportedOperationException if the codec cannot carry untyped values
     */
    public static Operation dynamic(String name, int argumentCount, dev.hermod.codec.Codec codec) {
        return new Operation(null, null, name, codec.untypedCoder(argumentCount), codec.untypedCoder(1),
                Object.class, List.of(), Map.of(), true, codec.untypedCoder(1), null, null, 0, null);
    }

    /**
     * An operation known only by name whose result is a stream of plain data items, for
     * dynamic invocation (the command line's {@code call} of a streaming operation).
     */
    public static Operation dynamicStream(String name, int argumentCount, dev.hermod.codec.Codec codec) {
        return new Operation(null, null, name, codec.untypedCoder(argumentCount), codec.untypedCoder(1),
                Object.class, List.of(), Map.of(), false, codec.untypedCoder(1), null, null, 0,
                new Streaming(true, new ValueCoder[argumentCount]));
    }

    /** The operation's streams, or null if it has none. */
    public Streaming streaming() {
        return streaming;
    }

    /**
     * For each parameter, the contract it is a reference to, or null where the parameter is
     * data; null if no parameter is a reference. Reference slots travel as numbers.
     */
    public Class<?>[] argumentReferences() {
        return argumentReferences;
    }

    /** The contract the result is a reference to, or null if the result is data. */
    public Class<?> resultReference() {
        return resultReference;
    }

    /** Whether a parameter or the result is an object reference. */
    public boolean hasReferences() {
        return argumentReferences != null || resultReference != null;
    }

    /** Whether the operation may be called oneway: it returns nothing and declares no exceptions. */
    public boolean isOnewayCapable() {
        return resultType == void.class && declaredExceptions.isEmpty() && streaming == null;
    }

    /** Whether this is a dynamic operation, with no contract behind it. */
    public boolean isDynamic() {
        return contract == null;
    }

    /** The contract this operation belongs to. */
    public Contract contract() {
        return contract;
    }

    /** The interface method. */
    public Method method() {
        return method;
    }

    /** The operation name on the wire: the method name. */
    public String name() {
        return name;
    }

    /** {@code Contract.operation}, for messages. */
    public String displayName() {
        return contract == null ? name : contract.type().getSimpleName() + "." + name;
    }

    /**
     * Says why the arguments of a request could not be decoded, naming the parameter, its
     * declared type and what arrived when the codec says which value failed
     * ({@code "parameter 1 (String name): expected a text string, got the integer 42"}).
     */
    public String argumentFailure(Exception e) {
        if (method != null && e instanceof dev.hermod.internal.codec.ValueDecodingException v
                && v.index() >= 0 && v.index() < method.getParameterCount()) {
            java.lang.reflect.Parameter p = method.getParameters()[v.index()];
            String parameter = "parameter " + (v.index() + 1) + " (" + shortTypeName(p.getParameterizedType())
                    + " " + p.getName() + ")";
            if (argumentReferences != null && argumentReferences[v.index()] != null) {
                return parameter + " is an object reference: expected its id, an integer, but "
                        + v.reason().substring(v.reason().indexOf(", got ") + 2);
            }
            return parameter + ": " + v.reason();
        }
        return String.valueOf(e.getMessage());
    }

    /** {@code List<String>} for {@code java.util.List<java.lang.String>}; {@code Outer.Inner} for nested types. */
    static String shortTypeName(Type type) {
        return type.getTypeName().replaceAll("\\b(?:[a-z_][\\w]*\\.)+(?=[A-Z])", "").replace('$', '.');
    }

    /**
     * The operation and its target, for messages: {@code getName on service 'employees'}, or
     * {@code onEvent on object @3 (Listener)} for an object exported on a connection.
     */
    public String describeOn(String service) {
        if (!service.isEmpty() && service.charAt(0) == '@' && contract != null) {
            return name + " on object " + service + " (" + contract.type().getSimpleName() + ")";
        }
        if (!service.isEmpty() && service.charAt(0) == '^' && contract != null) { // pipelined
            return name + " on the " + contract.type().getSimpleName() + " that "
                    + (service.length() == 1 ? "a pending call" : "request " + service.substring(1)) + " returns";
        }
        return name + " on service '" + service + "'";
    }

    /**
     * An operation this side performs by itself, such as flushing batches: it has a name for
     * result handles and messages, and nothing travels as its arguments or result.
     */
    public static Operation local(String name) {
        return new Operation(null, null, name, null, null, void.class, List.of(), Map.of(), true, null, null, null, 0, null);
    }

    /** Encodes and decodes the arguments, one value per parameter. */
    public ValueCoder argumentCoder() {
        return argumentCoder;
    }

    /** Encodes and decodes the result: one value, null for void. */
    public ValueCoder resultCoder() {
        return resultCoder;
    }

    /** The result type on the wire ({@code void.class} for none; unwrapped for async methods). */
    public Type resultType() {
        return resultType;
    }

    /** The declared exception types that travel as themselves, most specific first. */
    public List<Class<? extends Throwable>> declaredExceptions() {
        return declaredExceptions;
    }

    /** The declared type {@code t} travels as, or null if it is not declared. */
    public Class<? extends Throwable> declaredTypeOf(Throwable t) {
        for (Class<? extends Throwable> c : declaredExceptions) {
            if (c.isInstance(t)) {
                return c;
            }
        }
        return null;
    }

    /** The coder for a declared exception type by its binary name, or null if not declared. */
    public ValueCoder exceptionCoder(String binaryName) {
        if (untypedException != null) {
            return untypedException;
        }
        return exceptionCoders.get(binaryName);
    }

    @Override
    public String toString() {
        return displayName();
    }
}
