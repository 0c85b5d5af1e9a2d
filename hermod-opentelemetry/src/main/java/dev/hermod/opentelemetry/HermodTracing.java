package dev.hermod.opentelemetry;

import dev.hermod.intercept.CallOutcome;
import dev.hermod.intercept.ClientCall;
import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.intercept.InterceptedCall;
import dev.hermod.intercept.ServerCall;
import dev.hermod.intercept.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Map;
import java.util.Objects;

/**
 * OpenTelemetry tracing for Hermod: a client span for each call a client makes and a server span
 * for each call a server serves, linked through W3C trace context ({@code traceparent},
 * {@code tracestate}) carried in the call's request context. Register one instance with
 * {@code Client.Builder.intercept(...)} and {@code Server.Builder.intercept(...)}.
 *
 * <pre>{@code
 * HermodTracing tracing = new HermodTracing(openTelemetry);
 * Server server = Hermod.server().port(4061).add("employees", Employees.class, impl)
 *         .intercept(tracing).start();
 * Client client = Hermod.client().target("tcp://localhost:4061").intercept(tracing).build();
 * }</pre>
 *
 * <p>A client span's parent is the context current on the thread that makes the call. A server
 * span is current while its servant's method runs, so a call the servant makes from that thread
 * is its child: a chain of calls across servers is one trace. Spans are named
 * {@code service/operation} and carry the RPC semantic-convention attributes
 * {@code rpc.system=hermod}, {@code rpc.service}, {@code rpc.method}, and
 * {@code rpc.hermod.outcome} ({@code OK}, {@code DECLARED_EXCEPTION} or the status name); client
 * spans also {@code rpc.hermod.kind} ({@code SYNC}, {@code ASYNC}, {@code ONEWAY},
 * {@code BATCHED}, {@code STREAM}: a streamed call's span lasts until its stream ends), server spans {@code rpc.hermod.oneway} for oneway calls. A call that fails
 * with a status has span status ERROR and the exception recorded; one that ends with a declared
 * exception stays UNSET, as the operation answered as declared.
 *
 * <p>Propagation uses the {@link OpenTelemetry}'s text-map propagator, or W3C trace context when
 * it has none configured. Thread-safe.
 *
 * @since 0.3
 */
public final class HermodTracing implements ClientInterceptor, ServerInterceptor {
    /** The instrumentation scope name. */
    public static final String INSTRUMENTATION_NAME = "dev.hermod";
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("rpc.hermod.outcome");
    static final AttributeKey<String> KIND = AttributeKey.stringKey("rpc.hermod.kind");
    static final AttributeKey<Boolean> ONEWAY = AttributeKey.booleanKey("rpc.hermod.oneway");

    private static final TextMapGetter<InterceptedCall> FROM_CONTEXT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(InterceptedCall call) {
            return call.context().keySet();
        }

        @Override
        public String get(InterceptedCall call, String key) {
            return call == null ? null : call.context().get(key);
        }
    };

    /** Keys of this instance's state in a call's attributes. */
    private final Object spanKey = new Object();
    private final Object scopeKey = new Object();
    private final Tracer tracer;
    private final TextMapPropagator propagator;

    /**
     * Traces through {@code openTelemetry}'s tracer provider and propagators.
     *
     * @param openTelemetry the SDK (or {@code GlobalOpenTelemetry.get()})
     */
    public HermodTracing(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
        TextMapPropagator configured = openTelemetry.getPropagators().getTextMapPropagator();
        this.propagator = configured.fields().isEmpty() ? W3CTraceContextPropagator.getInstance() : configured;
    }

    private SpanBuilder span(InterceptedCall call, SpanKind kind, Context parent) {
        return tracer.spanBuilder(call.service() + "/" + call.operation()).setSpanKind(kind).setParent(parent)
                .setAttribute(RPC_SYSTEM, "hermod")
                .setAttribute(RPC_SERVICE, call.service())
                .setAttribute(RPC_METHOD, call.operation());
    }

    @Override
    public void onStart(ClientCall call) {
        Context parent = Context.current();
        Span span = span(call, SpanKind.CLIENT, parent).setAttribute(KIND, call.kind().name()).startSpan();
        call.attributes().put(spanKey, span);
        propagator.inject(parent.with(span), call, (c, key, value) -> c.putContext(key, value));
    }

    @Override
    public void onComplete(ClientCall call, CallOutcome outcome) {
        end((Span) call.attributes().get(spanKey), outcome);
    }

    @Override
    public void onStart(ServerCall call) {
        Context remote = propagator.extract(Context.root(), call, FROM_CONTEXT);
        SpanBuilder builder = span(call, SpanKind.SERVER, remote);
        if (call.isOneway()) {
            builder.setAttribute(ONEWAY, true);
        }
        Span span = builder.startSpan();
        Map<Object, Object> attributes = call.attributes();
        attributes.put(spanKey, span);
        attributes.put(scopeKey, remote.with(span).makeCurrent());
    }

    @Override
    public void onServantExit(ServerCall call) {
        Scope scope = (Scope) call.attributes().remove(scopeKey);
        if (scope != null) {
            scope.close();
        }
    }

    @Override
    public void onComplete(ServerCall call, CallOutcome outcome) {
        end((Span) call.attributes().get(spanKey), outcome);
    }

    private static void end(Span span, CallOutcome outcome) {
        if (span == null) {
            return;
        }
        span.setAttribute(OUTCOME, outcome.code());
        if (outcome.status().isPresent()) {
            span.setStatus(StatusCode.ERROR, outcome.code());
            outcome.failure().ifPresent(span::recordException);
        }
        span.end();
    }

    @Override
    public String toString() {
        return "HermodTracing[" + propagator + "]";
    }
}
