package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.internal.contract.Contract;
import dev.hermod.internal.contract.Operation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The invocation handler behind every proxy: a declared operation becomes a {@link Call}
 * (synchronous) or an {@link AsyncResultImpl} (asynchronous) routed by the proxy's {@link Invoker};
 * {@code equals}, {@code hashCode}, {@code toString} and {@code default} methods run locally.
 * Immutable; a proxy with other options is a new proxy with a new handler.
 */
public final class ProxyHandler implements InvocationHandler {
    private static final Object[] NO_ARGS = new Object[0];

    private final Invoker invoker;
    private final Contract contract;
    private final String service;
    private final CallOptions options;
    private final Mode mode;
    private final BatchQueue queue;

    /** How a proxy sends its calls. */
    public enum Mode {
        /** Each call gets a reply. */
        TWOWAY,
        /** Calls get no reply: done once written. */
        ONEWAY,
        /** Calls are queued and sent together when flushed. */
        BATCH
    }

    private ProxyHandler(Invoker invoker, Contract contract, String service, CallOptions options, Mode mode,
            BatchQueue queue) {
        this.invoker = invoker;
        this.contract = contract;
        this.service = service;
        this.options = options;
        this.mode = mode;
        this.queue = queue;
    }

    /** Creates a proxy for {@code type} bound to {@code service}. */
    public static <T> T create(Invoker invoker, Class<T> type, String service, CallOptions options) {
        Objects.requireNonNull(type, "contract");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(options, "options");
        if (service.isEmpty() || service.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 0xFFFF) {
            throw new IllegalArgumentException("service name must be 1 to 65,535 bytes in UTF-8");
        }
        Contract contract = invoker.peer().contracts().get(type);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                new ProxyHandler(invoker, contract, service, options, Mode.TWOWAY, null)));
    }

    /**
     * Returns the handler of a Hermod proxy.
     *
     * @throws IllegalArgumentException if {@code proxy} is not one
     */
    public static ProxyHandler of(Object proxy) {
        if (Proxy.isProxyClass(proxy.getClass())
                && Proxy.getInvocationHandler(proxy) instanceof ProxyHandler handler) {
            return handler;
        }
        throw new IllegalArgumentException("not a Hermod proxy: " + proxy.getClass().getName());
    }

    /** Where this proxy's calls go. */
    Invoker invoker() {
        return invoker;
    }

    /**
     * Releases the object reference behind this proxy.
     *
     * @throws IllegalArgumentException if the proxy is for a named service, not a reference
     */
    public void release() {
        if (!(invoker instanceof Reference r)) {
            throw new IllegalArgumentException("not an object reference: a proxy for service '" + service
                    + "' needs no release");
        }
        r.release();
    }

    /** The options this proxy's calls use. */
    public CallOptions options() {
        return options;
    }

    /** A new proxy like {@code proxy} but with changed options. */
    public <T> T withOptions(T proxy, UnaryOperator<CallOptions> change) {
        CallOptions changed = Objects.requireNonNull(change.apply(options), "changed options");
        return copy(proxy, new ProxyHandler(invoker, contract, service, changed, mode, queue));
    }

    /** A new proxy like {@code proxy} whose calls expect no reply. */
    public <T> T oneway(T proxy) {
        return copy(proxy, new ProxyHandler(invoker, contract, service, options, Mode.ONEWAY, null));
    }

    /** A proxy for the same target, mode and options, seen as another contract. */
    public <U> U as(Class<U> type) {
        Objects.requireNonNull(type, "contract");
        Contract other = invoker.peer().contracts().get(type);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                new ProxyHandler(invoker, other, service, options, mode, queue)));
    }

    /** A new proxy like {@code proxy} whose calls all go to one endpoint of its client. */
    public <T> T sticky(T proxy) {
        Invoker pinned = invoker.sticky();
        return pinned == invoker ? proxy : copy(proxy, new ProxyHandler(pinned, contract, service, options, mode,
                mode == Mode.BATCH ? pinned.newBatchQueue() : null));
    }

    /** A new batch proxy like {@code proxy}, with an empty queue of its own. */
    public <T> T batch(T proxy) {
        return copy(proxy, new ProxyHandler(invoker, contract, service, options, Mode.BATCH, invoker.newBatchQueue()));
    }

    /** Sends this batch proxy's queue and waits until it is written. */
    public void flush(Object proxy) {
        BatchQueue.awaitFlush(flushAsync(proxy));
    }

    /** Sends this batch proxy's queue; {@code proxy} is the proxy this handler serves. */
    public AsyncResultImpl<Void> flushAsync(Object proxy) {
        if (queue == null) {
            throw new IllegalArgumentException("not a batch proxy; make one with Hermod.batch(proxy)");
        }
        return invoker.flush(queue, proxy, service);
    }

    /** The mode this proxy's calls use. */
    public Mode mode() {
        return mode;
    }

    @SuppressWarnings("unchecked")
    private static <T> T copy(T proxy, ProxyHandler handler) {
        return (T) Proxy.newProxyInstance(proxy.getClass().getClassLoader(), proxy.getClass().getInterfaces(), handler);
    }

    /**
     * Proxies are equal when they make the same calls: same client or reference, service,
     * contract, mode, options and (for batch proxies) queue. So a oneway copy of a listener made
     * twice finds the first in a map.
     */
    private boolean sameTarget(ProxyHandler o) {
        return invoker == o.invoker && service.equals(o.service) && contract == o.contract && mode == o.mode
                && options.equals(o.options) && queue == o.queue;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Operation op = contract.operation(method);
        if (op != null) {
            Object[] a = args == null ? NO_ARGS : args;
            if (op.streaming() != null && mode != Mode.TWOWAY) {
                throw new UnsupportedOperationException(op.displayName() + " streams, which only a plain proxy can"
                        + " do: not a " + mode.name().toLowerCase() + " proxy");
            }
            if (op.streaming() != null && op.streaming().result()) {
                return new StreamCall(invoker, op, service, a, options);
            }
            if (mode == Mode.BATCH) {
                if (op.hasReferences()) {
                    throw new UnsupportedOperationException(op.displayName() + " passes or returns an object"
                            + " reference, which a batch cannot carry; call it on a proxy that is not a batch proxy");
                }
                if (!op.isOnewayCapable() && !op.isAsync()) {
                    throw new UnsupportedOperationException(op.displayName() + " returns a value or declares"
                            + " exceptions: on a batch proxy, call its asynchronous form to get an AsyncResult");
                }
                return invoker.enqueue(queue, op, service, a, options, proxy);
            }
            boolean oneway = mode == Mode.ONEWAY;
            if (oneway && !op.isOnewayCapable()) {
                // Ice's RuntimeError: a usage error, reported at the call, never sent
                throw new UnsupportedOperationException(op.displayName() + " returns a value or declares"
                        + " exceptions, so it cannot be called on a oneway proxy");
            }
            if (op.isAsync()) {
                return AsyncResultImpl.start(invoker, op, service, a, options, proxy, oneway);
            }
            return op.streaming() != null ? CallStreams.sync(invoker, op, service, a, options)
                    : Waiting.sync(invoker, op, service, a, options, oneway);
        }
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        switch (method.getName()) {
            case "equals":
                return proxy == args[0] || args[0] != null && Proxy.isProxyClass(args[0].getClass())
                        && Proxy.getInvocationHandler(args[0]) instanceof ProxyHandler other && sameTarget(other);
            case "hashCode":
                return System.identityHashCode(invoker) * 31 + service.hashCode();
            case "toString":
                return contract.type().getSimpleName() + (mode == Mode.TWOWAY ? "" : " " + mode.name().toLowerCase())
                        + " proxy for service '" + service + "' at " + invoker.describeTarget();
            default:
                throw new UnsupportedOperationException("not a remote operation: " + method);
        }
    }
}
