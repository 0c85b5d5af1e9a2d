package dev.hermod.internal.runtime;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.Current;
import dev.hermod.Server;
import dev.hermod.internal.bridge.ClientConfig;
import dev.hermod.internal.bridge.Engine;
import dev.hermod.internal.bridge.ProxyControl;
import dev.hermod.internal.bridge.ServerConfig;
import dev.hermod.internal.dispatch.Invocation;
import dev.hermod.internal.invocation.Combinators;
import dev.hermod.internal.invocation.Hedge;
import dev.hermod.internal.invocation.ProxyHandler;
import dev.hermod.internal.reference.ObjectTable;
import dev.hermod.internal.transport.Transport;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/** The {@link Engine} the API's façades use; found by name by the bridge. Stateless. */
public final class EngineImpl implements Engine {

    /** Called by the bridge, reflectively. */
    public EngineImpl() {}

    @Override
    public Client newClient(ClientConfig config) {
        return new ClientImpl(config);
    }

    @Override
    public Server startServer(ServerConfig config) {
        return ServerImpl.start(config);
    }

    @Override
    public dev.hermod.codec.Codec defaultCodec(dev.hermod.codec.PayloadLimits limits) {
        return dev.hermod.internal.codec.JacksonCodec.cbor(new dev.hermod.internal.codec.DecodeLimits(
                limits.maxDecodedBytes(), limits.maxItems(), limits.maxDepth(), limits.maxStringBytes(),
                limits.maxCollectionLength(), limits.maxMapEntries()));
    }

    @Override
    public ProxyControl control(Object proxy) {
        return new Control(proxy, ProxyHandler.of(proxy));
    }

    @Override
    public <P> P pipeline(dev.hermod.AsyncResult<?> result, Class<P> contract) {
        return dev.hermod.internal.invocation.Pipeline.proxy(result, contract);
    }

    @Override
    public int revoke(Object servant) {
        return ObjectTable.revokeEverywhere(servant);
    }

    @Override
    public Current current() {
        return Invocation.current();
    }

    @Override
    public boolean onIoThread() {
        return Transport.onIoThread();
    }

    @Override
    public <T> CompletableFuture<List<T>> all(Collection<? extends AsyncResult<? extends T>> results) {
        return Combinators.all(results);
    }

    @Override
    public <T> CompletableFuture<T> any(Collection<? extends AsyncResult<? extends T>> results) {
        return Combinators.any(results);
    }

    @Override
    public <T> CompletableFuture<T> hedge(java.time.Duration delay, int attempts,
            java.util.function.Supplier<? extends AsyncResult<? extends T>> attempt) {
        return Hedge.start(delay, attempts, attempt);
    }

    @Override
    public <T> CompletableFuture<List<T>> quorum(int k, Collection<? extends AsyncResult<? extends T>> results) {
        return Combinators.quorum(k, results);
    }

    /** A proxy's handler, as the {@code Hermod} helpers see it. */
    private record Control(Object proxy, ProxyHandler handler) implements ProxyControl {
        @Override
        public <T> T withOptions(T proxy, UnaryOperator<CallOptions> change) {
            return handler.withOptions(proxy, change);
        }

        @Override
        public <T> T oneway(T proxy) {
            return handler.oneway(proxy);
        }

        @Override
        public <T> T batch(T proxy) {
            return handler.batch(proxy);
        }

        @Override
        public <T> T sticky(T proxy) {
            return handler.sticky(proxy);
        }

        @Override
        public <U> U as(Class<U> type) {
            return handler.as(type);
        }

        @Override
        public void flush() {
            handler.flush(proxy);
        }

        @Override
        public AsyncResult<Void> flushAsync() {
            return handler.flushAsync(proxy);
        }

        @Override
        public CallOptions options() {
            return handler.options();
        }

        @Override
        public void release() {
            handler.release();
        }
    }
}
