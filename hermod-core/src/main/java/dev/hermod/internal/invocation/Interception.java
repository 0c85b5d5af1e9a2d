package dev.hermod.internal.invocation;

import dev.hermod.intercept.CallOutcome;
import dev.hermod.intercept.ClientCall;
import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.RpcException;
import dev.hermod.internal.contract.Operation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One call as the client interceptors see it ({@link ClientCall}): runs their {@code onStart} in
 * order before the call is sent, and their {@code onComplete} in reverse order, once, off the I/O
 * threads, when its outcome is known. Created only when there are interceptors, so a client with
 * none pays nothing.
 */
final class Interception extends dev.hermod.internal.bridge.CallDecision<ClientInterceptor> implements ClientCall {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Interception.class);

    private final Call call;
    private final List<ClientInterceptor> chain;
    private final Kind kind;
    private final boolean onReference;
    /** Whether {@code onComplete} has run (or is running). Guarded by this. */
    private boolean finished;
    /** How long the call took, once its outcome is known; 0 until then, or if the call times itself. */
    private volatile long tookNanos;

    Interception(Call call, List<ClientInterceptor> chain, Kind kind, boolean onReference) {
        this.call = call;
        this.chain = chain;
        this.kind = kind;
        this.onReference = onReference;
    }

    /**
     * Runs the interceptors' {@code onStart}; returns true if one decided the call, which is then
     * complete and must not be sent.
     */
    boolean start() {
        boolean decided = startAll(chain);
        if (decided && kind == Kind.STREAM && decidedFailure() == null && decidedValue() != null) {
            // Items are decoded from the wire: there is no way to give the subscriber a value.
            call.shortCircuit(null, new IllegalStateException("an interceptor answered " + call.describe()
                    + ", whose result is a stream, with " + decidedValue().getClass().getName()
                    + "; respond(null) ends the stream without items, fail(...) ends it with a failure"));
        } else if (decided) {
            call.shortCircuit(decidedValue(), decidedFailure());
        }
        return decided;
    }

    /**
     * The call's outcome is known now: its duration is measured here, by the thread that decided
     * it ({@link Call#intercept}), or by the call's streams ({@link CallStreams}).
     */
    void ended() {
        if (tookNanos == 0) {
            tookNanos = Math.max(1, call.elapsedNanos());
        }
    }

    @Override
    protected void start(ClientInterceptor interceptor) {
        interceptor.onStart(this);
    }

    /**
     * Runs the interceptors' {@code onComplete}, once; the call's outcome must be known. A thread
     * that comes second waits until they have run: the one settling the result must not let a
     * dependent stage (or the caller) go on before the interceptors have seen the outcome.
     */
    synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        runOnComplete();
    }

    private void runOnComplete() {
        long took = tookNanos;
        CallOutcome outcome = outcomeOf(call.outcome(), Duration.ofNanos(took != 0 ? took : call.elapsedNanos()));
        for (int i = started() - 1; i >= 0; i--) {
            try {
                chain.get(i).onComplete(this, outcome);
            } catch (Throwable t) {
                log.warn("client interceptor {} failed in onComplete for {}", chain.get(i), call.describe(), t);
            }
        }
    }

    private static CallOutcome outcomeOf(CompletableFuture<Object> outcome, Duration took) {
        Throwable f = Waiting.failureOf(outcome);
        if (f instanceof RpcException r) {
            return CallOutcome.failed(r.status(), r, took);
        }
        if (f != null) {
            return CallOutcome.declared(f, took); // an interceptor's short-circuit
        }
        return outcome.join() instanceof Reply reply && reply.exceptionType() != null
                ? CallOutcome.declared(null, took) : CallOutcome.ok(took);
    }

    @Override
    public String service() {
        return onReference ? remoteName(call.operation) : call.service;
    }

    static String remoteName(Operation op) {
        return op.contract() == null ? "" : op.contract().remoteType().getSimpleName();
    }

    @Override
    public String operation() {
        return call.operation.name();
    }

    @Override
    public Class<?> contract() {
        return call.operation.contract() == null ? Object.class : call.operation.contract().remoteType();
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public boolean onReference() {
        return onReference;
    }

    @Override
    public Map<String, String> context() {
        return call.options.context();
    }

    @Override
    public void putContext(String key, String value) {
        ensureOpen();
        call.options = call.options.withContext(key, value);
    }

    @Override
    public Optional<Duration> timeRemaining() {
        return call.hasDeadline() ? Optional.of(Duration.ofNanos(call.deadlineNanos() - System.nanoTime()))
                : Optional.empty();
    }

    @Override
    public void fail(dev.hermod.Status status, String message) {
        fail(Exceptions.forStatus(java.util.Objects.requireNonNull(status, "status"),
                java.util.Objects.requireNonNull(message, "message"), true, null));
    }

    @Override
    public String toString() {
        return "ClientCall[" + call.describe() + ", " + kind + "]";
    }
}
