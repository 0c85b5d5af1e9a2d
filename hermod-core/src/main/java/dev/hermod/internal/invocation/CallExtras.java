package dev.hermod.internal.invocation;

/**
 * What a {@link Call} needs only on its rarer paths: interceptors, pipelining, flow control,
 * retries, Hermod's own calls. Most calls never make one, which keeps every call smaller (the
 * client allocates a {@code Call} per invocation); the first of those paths to need it makes it
 * ({@code Call.extras()}), and it lives as long as its call.
 */
final class CallExtras {
    static final java.lang.invoke.VarHandle PROGRESS;

    static {
        try {
            PROGRESS = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(CallExtras.class, "progress", ResultProgress.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * For a {@code @Deduplicated} call, where an attempt that may have run went: the owner of its
     * connection (the client's connections to one endpoint). Only that server remembers the call,
     * so later attempts go there alone ({@link Invoker#connectionFor}). Null until then.
     */
    volatile RpcConnection.Owner mayHaveRunAt;
    /** While the request is held back by flow control: the backlog's ticket, to drop it if withdrawn. */
    volatile Object queued;
    /**
     * Where the request goes on the wire, if not to the call's service: a pipelined call's
     * target, {@code ^k} or the object {@code @n} its source call resolved to ({@link Pipeline}).
     */
    volatile String target;
    /** What the client interceptors see of the call; null if there are none. */
    volatile Interception interception;
    /** Hermod's own call (a reference release): never intercepted. Set before the call starts. */
    boolean control;
    /** The call was re-sent at least once (and paid the retry budget for it). Guarded by the call. */
    boolean retried;
    /** Attempts a server going away refused unrun (GOAWAY); see {@link Retries}. Guarded by the call. */
    int refusals;
    /**
     * The progress reports of an asynchronous call's result: made when progress is first
     * reported or listened for ({@link AsyncResultImpl}); most calls never report any.
     */
    volatile ResultProgress progress;
}
