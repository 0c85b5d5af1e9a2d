package dev.hermod.internal.bridge;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Current;
import dev.hermod.Server;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the public façades ({@code Hermod}, {@code Client.Builder},
 * {@code Server.Builder}, {@code Current}, {@code AsyncResult}) and the runtime behind them: the
 * façades hold this interface and the runtime fills it in, so that the API package names no
 * implementation class and no implementation class is named back by it (the split of gRPC-java's
 * {@code ManagedChannelProvider}). The one implementation is found by name, once, when first
 * needed.
 *
 * <p>Implementations are thread-safe.
 */
public interface Engine {

    /** Creates a client; does no I/O. */
    Client newClient(ClientConfig config);

    /** Validates the contracts, binds and starts serving. */
    Server startServer(ServerConfig config);

    /**
     * The Hermod proxy behind {@code proxy}, for the static helpers of {@code Hermod}.
     *
     * @throws IllegalArgumentException if {@code proxy} is not a Hermod proxy
     */
    ProxyControl control(Object proxy);

    /** {@code Hermod.pipeline}. */
    <P> P pipeline(AsyncResult<?> result, Class<P> contract);

    /** Stops serving {@code servant} on every connection; returns how many exports ended. */
    int revoke(Object servant);

    /** The invocation the calling thread is dispatching, or null. */
    Current current();

    /** Whether the calling thread is a Hermod I/O thread, which must never block. */
    boolean onIoThread();

    /** The default codec (Jackson CBOR) with other payload limits. */
    dev.hermod.codec.Codec defaultCodec(dev.hermod.codec.PayloadLimits limits);

    /** {@code AsyncResult.all}. */
    <T> CompletableFuture<List<T>> all(Collection<? extends AsyncResult<? extends T>> results);

    /** {@code AsyncResult.any}. */
    <T> CompletableFuture<T> any(Collection<? extends AsyncResult<? extends T>> results);

    /** {@code AsyncResult.hedge}. */
    <T> CompletableFuture<T> hedge(java.time.Duration delay, int attempts,
            java.util.function.Supplier<? extends AsyncResult<? extends T>> attempt);

    /** {@code AsyncResult.quorum}. */
    <T> CompletableFuture<List<T>> quorum(int k, Collection<? extends AsyncResult<? extends T>> results);

    /** The engine of this process. */
    static Engine get() {
        return Engines.ENGINE;
    }
}
