package dev.hermod.internal.rpc;

import dev.hermod.CallOptions;
import dev.hermod.internal.contract.Contract;
import dev.hermod.internal.contract.Operation;

/** What a proxy needs from the client that made it. */
public interface Invoker {
    /** Runs a call synchronously in the calling thread and returns or throws what the method would. */
    Object invokeSync(Operation op, String service, Object[] args, CallOptions options, boolean oneway)
            throws Throwable;

    /** Starts a call and returns its result handle at once. */
    AsyncResultImpl<Object> invokeAsync(Operation op, String service, Object[] args, CallOptions options,
            Object proxy, boolean oneway);

    /** Reads (once) and returns the contract of {@code type}. */
    Contract contract(Class<?> type);

    /** Describes where calls go, for {@code toString}. */
    String describeTarget();
}
