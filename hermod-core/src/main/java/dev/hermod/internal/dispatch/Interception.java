package dev.hermod.internal.dispatch;

import dev.hermod.intercept.CallOutcome;
import dev.hermod.intercept.ServerCall;
import dev.hermod.intercept.ServerInterceptor;
import java.net.SocketAddress;
import java.security.Principal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One served call as the server interceptors see it ({@link ServerCall}): runs their
 * {@code onStart} in order on the serving thread, their {@code onServantExit} in reverse order
 * on the same thread, and their {@code onComplete} in reverse order once the reply is decided.
 * Created only when there are interceptors.
 */
final class Interception extends dev.hermod.internal.bridge.CallDecision<ServerInterceptor> implements ServerCall {
    private final Invocation invocation;
    private final List<ServerInterceptor> chain;
    private final long startNanos = System.nanoTime();
    private Map<String, String> context;

    Interception(Invocation invocation, List<ServerInterceptor> chain) {
        this.invocation = invocation;
        this.chain = chain;
    }

    /** Runs {@code onStart}; returns true if an interceptor decided the call. */
    boolean start() {
        return startAll(chain);
    }

    @Override
    protected void start(ServerInterceptor interceptor) {
        interceptor.onStart(this);
    }

    /** Runs {@code onServantExit} of the interceptors that saw the start. */
    void exit() {
        for (int i = started() - 1; i >= 0; i--) {
            try {
                chain.get(i).onServantExit(this);
            } catch (Throwable t) {
                Dispatch.log.warn("server interceptor {} failed in onServantExit for {}", chain.get(i), this, t);
            }
        }
    }

    /** Runs {@code onComplete}, once (the invocation replies once). */
    void finish(dev.hermod.Status status, Throwable thrown, boolean declared) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        CallOutcome outcome = status != null ? CallOutcome.failed(status, thrown, took)
                : declared ? CallOutcome.declared(thrown, took) : CallOutcome.ok(took);
        for (int i = started() - 1; i >= 0; i--) {
            try {
                chain.get(i).onComplete(this, outcome);
            } catch (Throwable t) {
                Dispatch.log.warn("server interceptor {} failed in onComplete for {}", chain.get(i), this, t);
            }
        }
    }

    /** The context the servant sees: the request's, with what interceptors added. */
    Map<String, String> servedContext(Map<String, String> request) {
        return context != null ? context : request;
    }

    @Override
    public String service() {
        return onReference() ? invocation.contractType().getSimpleName() : invocation.service();
    }

    @Override
    public String operation() {
        return invocation.operation();
    }

    @Override
    public Class<?> contract() {
        return invocation.contractType();
    }

    @Override
    public boolean isOneway() {
        return invocation.isOneway();
    }

    @Override
    public boolean onReference() {
        return invocation.service().startsWith("@");
    }

    @Override
    public SocketAddress peer() {
        return invocation.peer();
    }

    @Override
    public Optional<Principal> principal() {
        return invocation.principal();
    }

    @Override
    public Map<String, String> context() {
        return invocation.context();
    }

    @Override
    public void putContext(String key, String value) {
        ensureOpen();
        Map<String, String> copy = new LinkedHashMap<>(invocation.context());
        copy.put(java.util.Objects.requireNonNull(key, "key"), java.util.Objects.requireNonNull(value, "value"));
        context = java.util.Collections.unmodifiableMap(copy);
    }

    @Override
    public Optional<Duration> timeRemaining() {
        return invocation.timeRemaining();
    }

    @Override
    public void fail(dev.hermod.Status status, String message) {
        java.util.Objects.requireNonNull(status, "status");
        java.util.Objects.requireNonNull(message, "message");
        fail(new Refusal(status, message));
    }

    /** What {@link #fail(dev.hermod.Status, String)} decided; replied as a failure frame of that status. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient dev.hermod.Status status;

        Refusal(dev.hermod.Status status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public String toString() {
        return "ServerCall[" + invocation.operation() + " on " + invocation.service() + "]";
    }
}
