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

    Operation(Contract contract, Method method, ValueCoder argumentCoder, ValueCoder resultCoder,
            Type resultType, List<Class<? extends Throwable>> declaredExceptions,
            Map<String, ValueCoder> exceptionCoders, boolean async) {
        this.contract = contract;
        this.method = method;
        this.name = method.getName();
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
        return contract.type().getSimpleName() + "." + name;
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
        return exceptionCoders.get(binaryName);
    }

    /** The declared exception class of that binary name, or null. */
    public Class<? extends Throwable> declaredException(String binaryName) {
        for (Class<? extends Throwable> c : declaredExceptions) {
            if (c.getName().equals(binaryName)) {
                return c;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return displayName();
    }
}
