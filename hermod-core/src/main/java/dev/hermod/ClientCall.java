package dev.hermod;

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
        BATCHED
    }

    /**
     * Returns how the call was made.
     *
     * @return the kind
     */
    Kind kind();
}
