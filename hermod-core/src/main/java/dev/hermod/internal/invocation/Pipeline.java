package dev.hermod.internal.invocation;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import dev.hermod.internal.contract.Contract;
import dev.hermod.internal.contract.Operation;
import java.util.concurrent.CompletableFuture;

/**
 * Promise pipelining on the calling side ({@code Hermod.pipeline}, PROTOCOL.md section 28): the
 * invoker behind a proxy for the object reference a call has not returned yet. Its calls go over
 * the connection the source call was sent on, right behind it, addressed to {@code ^k} (the
 * source's request id): the server runs them on the object the source's result references as soon
 * as it exists, so a chain of dependent calls costs one round trip. A call made once the source's
 * result is known goes to that reference directly.
 *
 * <p>The source's failure is every pipelined call's failure, with the same exception (carried as
 * the cause of an {@code ObjectNotFoundException} if it is a checked exception the pipelined
 * operation does not declare), and ends them at once (canceling those already sent on the server); canceling the source therefore
 * cancels the chain. Pipelined calls are not retried, and not batched. Thread-safe.
 */
public final class Pipeline implements Invoker {
    private final AsyncResultImpl<?> source;
    private final Call sourceCall;
    private final Invoker sourceInvoker;

    private Pipeline(AsyncResultImpl<?> source, Invoker sourceInvoker) {
        this.source = source;
        this.sourceCall = source.call();
        this.sourceInvoker = sourceInvoker;
    }

    /**
     * A proxy of {@code type} (a contract or one of its companions) for the object {@code result}
     * will reference.
     *
     * @throws IllegalArgumentException if {@code result} is not a two-way call's result from
     *     Hermod, its operation returns no object reference, or {@code type} is not that
     *     reference's contract or a companion of it
     */
    public static <P> P proxy(AsyncResult<?> result, Class<P> type) {
        if (!(result instanceof AsyncResultImpl<?> source) || source.call().operation().contract() == null) {
            throw new IllegalArgumentException("not the result of a call made through Hermod: " + result);
        }
        Call call = source.call();
        Operation op = call.operation();
        Invoker invoker = call.invoker();
        if (op.resultReference() == null || call.isOneway() || invoker == null) {
            throw new IllegalArgumentException("cannot pipeline on the result of " + call.describe() + ": "
                    + (op.resultReference() == null ? "it returns " + op.resultType().getTypeName()
                            + ", not a @Remote object reference" : "it is a oneway or batched call"));
        }
        Contract contract = invoker.peer().contracts().get(type);
        if (!contract.remoteType().isAssignableFrom(op.resultReference())
                && !op.resultReference().isAssignableFrom(contract.remoteType())) {
            throw new IllegalArgumentException("cannot pipeline " + type.getName() + " on the result of "
                    + call.describe() + ": it returns " + op.resultReference().getName());
        }
        return ProxyHandler.create(new Pipeline(source, invoker), type, "^", CallOptions.defaults());
    }

    @Override
    public Peer peer() {
        return sourceInvoker.peer();
    }

    @Override
    public void ensureOpen() {}

    /**
     * The source's connection, once the source is sent (or the reference's connection, if its
     * result is known); fails with the source's failure if it ends first.
     */
    @Override
    public CompletableFuture<RpcConnection> connectionFor(Call call) {
        source.whenComplete((value, failure) -> {
            if (failure != null) {
                call.abandonWith(failureOf(call, failure)); // the chain fails together
            }
        });
        if (source.isDone() && !source.isCompletedExceptionally()) {
            return resolved(call, source.join());
        }
        CompletableFuture<RpcConnection> connection = new CompletableFuture<>();
        sourceCall.sentSignal().whenComplete((sent, e) -> {
            RpcConnection c = sourceCall.connection;
            if (Boolean.TRUE.equals(sent) && c != null) {
                call.target("^" + Integer.toUnsignedString(sourceCall.requestId));
                connection.complete(c); // right behind the source on its connection: the server sees it first
                return;
            }
            source.whenComplete((value, failure) -> { // never sent: its result decides
                if (failure != null) {
                    Throwable why = failureOf(call, failure);
                    call.abandonWith(why); // first, so that the call fails with this very exception
                    connection.completeExceptionally(why);
                } else {
                    resolved(call, value).whenComplete((conn, f) -> {
                        if (f != null) {
                            connection.completeExceptionally(f);
                        } else {
                            connection.complete(conn);
                        }
                    });
                }
            });
        });
        return connection;
    }

    /**
     * A pipelined call failed as {@code OBJECT_NOT_FOUND}: the server had no object to run it on,
     * because the source failed (its failure may still be on its way to the result), or returned
     * null. The source's outcome decides: the call fails with the source's failure, or with this
     * one. Returns false for any other failure, which stands.
     */
    boolean deferFailure(Call call, Throwable failure) {
        if (!(failure instanceof dev.hermod.RpcException r) || r.status() != dev.hermod.Status.OBJECT_NOT_FOUND) {
            return false;
        }
        source.whenComplete((value, sourceFailure) ->
                call.failNow(sourceFailure != null ? failureOf(call, sourceFailure) : failure));
        return true;
    }

    /**
     * What a pipelined call fails with when the source failed with {@code sourceFailure}: the same
     * exception, if the call may throw it (unchecked, or declared by its own operation); otherwise
     * an {@link dev.hermod.ObjectNotFoundException} (unprocessed: the call never ran) whose cause is
     * that same exception, since a call cannot throw a checked exception its method does not declare.
     */
    private Throwable failureOf(Call call, Throwable sourceFailure) {
        Throwable f = Exceptions.unwrap(sourceFailure);
        if (f instanceof RuntimeException || f instanceof Error || call.operation().declaredTypeOf(f) != null) {
            return f;
        }
        return new dev.hermod.ObjectNotFoundException(call.describe() + " was pipelined on "
                + sourceCall.describe() + ", which failed: " + f, f);
    }

    /** Where a call goes once the source's result is known: to the reference it is. */
    private CompletableFuture<RpcConnection> resolved(Call call, Object value) {
        if (value != null && java.lang.reflect.Proxy.isProxyClass(value.getClass())
                && ProxyHandler.of(value).invoker() instanceof Reference r) {
            call.target(r.target());
            return r.connectionFor(call);
        }
        return CompletableFuture.failedFuture(Exceptions.forStatus(dev.hermod.Status.OBJECT_NOT_FOUND, call.describe()
                + ": the result of " + sourceCall.describe() + " is " + (value == null ? "null"
                        : "an object of this process, not a remote one") + ", so there is nothing to call", true, null));
    }

    @Override
    public BatchQueue newBatchQueue() {
        throw new UnsupportedOperationException("a pipelined proxy cannot batch its calls");
    }

    @Override
    public Object enqueue(BatchQueue queue, Operation op, String service, Object[] args, CallOptions options,
            Object proxy) {
        throw new UnsupportedOperationException("a pipelined proxy cannot batch its calls");
    }

    @Override
    public AsyncResultImpl<Void> flush(BatchQueue queue, Object proxy, String service) {
        throw new UnsupportedOperationException("a pipelined proxy cannot batch its calls");
    }

    @Override
    public String describeTarget() {
        return "the result of " + sourceCall.describe() + " at " + sourceInvoker.describeTarget();
    }
}
