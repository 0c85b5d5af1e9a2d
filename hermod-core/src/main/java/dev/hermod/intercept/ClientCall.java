package dev.hermod.intercept;

import dev.hermod.AsyncResult;

/**
 * A call as a {@link ClientInterceptor} sees it: what {@link InterceptedCall} tells, and how the
 * call was made.
 *
 * @since 0.3
 */
public interface ClientCall extends InterceptedCall {

    /** How a call was made. */
    enum Kind {
        /** A synchronous call: the calling thread waits for the reply. */
        SYNC,
        /** An asynchronous call: the proxy method returned an {@link AsyncResult}. */
        ASYNC,
        /** A call on a oneway proxy: done once written, no reply. */
        ONEWAY,
        /** A call on a batch proxy: queued, sent when the batch is flushed. */
        BATCHED,
        /**
         * A call whose result is a stream: the proxy method returned a {@link java.util.concurrent.Flow.Publisher},
         * and each subscription to it makes one call, whose outcome is known when the stream
         * ends. (A call that only sends streams is {@link #SYNC} or {@link #ASYNC}.)
         */
        STREAM
    }

    /**
     * Returns how the call was made.
     *
     * @return the kind
     */
    Kind kind();
}
