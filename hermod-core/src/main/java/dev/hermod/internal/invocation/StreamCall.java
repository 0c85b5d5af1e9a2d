package dev.hermod.internal.invocation;

import dev.hermod.CallOptions;
import dev.hermod.internal.contract.Operation;
import dev.hermod.internal.stream.StreamIn;
import java.util.concurrent.Flow;

/**
 * What a proxy returns for an operation that streams its result: a cold {@link Flow.Publisher}.
 * Each subscription makes one call, with the deadline and options the proxy had when the method
 * was called; the subscriber's {@code request(n)} becomes credit on the wire, its {@code cancel()}
 * cancels the call on the server, and the call's end (its reply, its deadline, a lost connection)
 * ends the stream with {@code onComplete} or {@code onError}. The client interceptors see each
 * call as {@link dev.hermod.intercept.ClientCall.Kind#STREAM}, and its outcome before the stream ends.
 * Thread-safe.
 */
public final class StreamCall implements Flow.Publisher<Object> {
    private final Invoker invoker;
    private final Operation op;
    private final String service;
    private final Object[] args;
    private final CallOptions options;

    /** A stream of an operation known only by name: arguments and items as plain data. */
    public static Flow.Publisher<Object> dynamic(Invoker invoker, dev.hermod.codec.Codec codec, String service,
            String operation, Object[] args, CallOptions options) {
        return new StreamCall(invoker, Operation.dynamicStream(operation, args.length, codec), service, args, options);
    }

    StreamCall(Invoker invoker, Operation op, String service, Object[] args, CallOptions options) {
        this.invoker = invoker;
        this.op = op;
        this.service = service;
        this.args = args.clone();
        this.options = options;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Object> subscriber) {
        java.util.Objects.requireNonNull(subscriber, "subscriber (rule 1.9)");
        Call call = Call.create(op, service, args.clone(), options,
                options.timeout().orElse(invoker.peer().callTimeout()));
        StreamIn in = call.streams.resultStream(invoker.peer());
        in.subscribe(subscriber);
        try {
            if (!call.streams.intercept(invoker, dev.hermod.intercept.ClientCall.Kind.STREAM)) {
                call.start(invoker);
            } // else decided by an interceptor, and never sent: the stream has ended as it decided
        } catch (RuntimeException e) { // the client is closed
            call.fail(e);
        }
    }

    @Override
    public String toString() {
        return "stream of " + Call.describe(op, service) + " at " + invoker.describeTarget();
    }
}
