package dev.hermod.internal.invocation;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The layer of a {@link Call} that knows whether its request went out: claimed for the transport
 * or withdrawn first ({@link #handOver}, {@link #withdraw}), per attempt, so that a frame of an
 * earlier attempt never claims a later one; handed over ({@link #recordSent}, {@link #sentSignal},
 * {@link #decideSent});
 * written to the socket ({@link #isWritten}). Those decide {@code isUnprocessed()} for the call's
 * failures. A layer of the call's class rather than an object of its own, as the call is the
 * future of its internal outcome ({@link CompletableFuture}) for the same reason: objects per
 * call cost more than lines per class.
 *
 * <p>Thread-safe: the hand-over is one word changed by compare-and-set ({@link #handover}); the
 * flags are volatile, each written by the one path that decides it.
 */
abstract class SendState extends CompletableFuture<Object> {
    /**
     * In the low bits of {@link #handover} (the high bits count the attempts, so that a frame of
     * an earlier attempt can never claim a later one): the request has not been handed to the
     * transport, and may still be.
     */
    private static final int UNSENT = 0;
    /** ... it has been handed to the transport, so the server may have seen it. */
    private static final int HANDED_OVER = 1;
    /** ... it was withdrawn before that (canceled or expired) and never will be. */
    private static final int WITHDRAWN = 2;
    private static final int STATE_BITS = 3;
    private static final int ATTEMPT_SHIFT = 2;
    private static final VarHandle HANDOVER;
    private static final VarHandle SEND_VERDICT;
    private static final CompletableFuture<Boolean> WAS_SENT = CompletableFuture.completedFuture(Boolean.TRUE);
    private static final CompletableFuture<Boolean> NEVER_SENT = CompletableFuture.completedFuture(Boolean.FALSE);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HANDOVER = lookup.findVarHandle(SendState.class, "handover", int.class);
            SEND_VERDICT = lookup.findVarHandle(SendState.class, "sendVerdict", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The attempt number (high bits) and {@link #UNSENT}, {@link #HANDED_OVER} or
     * {@link #WITHDRAWN} (low bits); decides {@code isUnprocessed()}.
     */
    private volatile int handover;
    /**
     * An earlier attempt may have reached the server: a later failure is not unprocessed, even if
     * its own attempt was never sent.
     */
    private volatile boolean mayHaveRun;
    /**
     * Whether the request was handed to the transport or the call ended first, never to be sent:
     * null while neither is known and nobody waits for it; the verdict ({@link Boolean#TRUE} or
     * {@link Boolean#FALSE}) once known; or, once someone waits ({@link #sentSignal()}), the
     * future that completes with it. Few calls have anyone waiting to learn that they were sent,
     * so the future is made only then. The first verdict stays.
     */
    private volatile Object sendVerdict;
    private volatile boolean sent;
    private volatile boolean sentSynchronously;
    /** The thread inside the call that started this invocation, while it is inside. */
    private volatile Thread starter;
    /** The attempt whose request frame reached the socket, if any: {@link #isWritten}. */
    private volatile int writtenAttempt = -1;

    /** Marks the start and end of the call that starts this invocation in the calling thread. */
    public final void starting(boolean inside) {
        starter = inside ? Thread.currentThread() : null;
    }

    /** Whether the calling thread is the one starting the call, inside the call that starts it. */
    final boolean startedHere() {
        return starter == Thread.currentThread();
    }

    /** Records that the request frame has been handed to the transport, by this thread. */
    final void recordSent() {
        sentSynchronously = Thread.currentThread() == starter;
        sent = true;
    }

    /**
     * Completes with true when the request is handed to the transport, false if the call ends
     * first: a future made by the first caller, shared by the others.
     */
    @SuppressWarnings("unchecked")
    final CompletableFuture<Boolean> sentSignal() {
        while (true) {
            Object v = sendVerdict;
            if (v instanceof CompletableFuture<?> waited) {
                return (CompletableFuture<Boolean>) waited;
            }
            if (v != null) { // known: a shared, completed future (only this package sees it)
                return v == Boolean.TRUE ? WAS_SENT : NEVER_SENT;
            }
            CompletableFuture<Boolean> made = new CompletableFuture<>();
            if (SEND_VERDICT.compareAndSet(this, null, made)) {
                return made;
            }
        }
    }

    /** Records whether the request was sent, unless that is known already, and tells whoever waits. */
    @SuppressWarnings("unchecked")
    final void decideSent(Boolean verdict) {
        while (true) {
            Object v = sendVerdict;
            if (v instanceof CompletableFuture<?> waited) {
                ((CompletableFuture<Boolean>) waited).complete(verdict); // its first verdict stays
                return;
            }
            if (v != null || SEND_VERDICT.compareAndSet(this, null, verdict)) {
                return; // known already, or now
            }
        }
    }

    /** The batch carrying this (oneway, already complete) call was lost: it will never be sent. */
    final void neverSent() {
        decideSent(Boolean.FALSE);
    }

    final boolean isSent() {
        return sent;
    }

    final boolean sentSynchronously() {
        return sentSynchronously;
    }

    /**
     * Claims the request for the transport, just before it is handed over: false if it was
     * withdrawn first, and must then be dropped unsent. From here on the server may see it.
     */
    final boolean handOver() {
        return handOver(attempt());
    }

    /** As {@link #handOver()}, for the frame of attempt {@code attempt} only. */
    final boolean handOver(int attempt) {
        int base = attempt << ATTEMPT_SHIFT;
        return HANDOVER.compareAndSet(this, base | UNSENT, base | HANDED_OVER);
    }

    /** Whether the current attempt's request has been claimed for the transport. */
    final boolean isHandedOver() {
        return (handover & STATE_BITS) == HANDED_OVER;
    }

    /** The number of the current attempt, for {@link #handOver(int)}. */
    final int attempt() {
        return handover >>> ATTEMPT_SHIFT;
    }

    /**
     * Starts the next attempt, unsent: the frame of the current one can no longer claim the call.
     * {@code mayHaveRun}: the current attempt may have reached the server, so no later failure
     * is unprocessed. Called under the call's lock, by its retry.
     */
    final void nextAttempt(boolean mayHaveRun) {
        if (mayHaveRun) {
            this.mayHaveRun = true;
        }
        handover = ((attempt() + 1) << ATTEMPT_SHIFT) | UNSENT;
    }

    /** Whether an earlier attempt may have reached the server. */
    final boolean mayHaveRun() {
        return mayHaveRun;
    }

    /**
     * Whether the request's bytes reached the socket, so that the server may have run the
     * operation. Told by the write's listener as the write completes, which is before the link
     * reports its close.
     */
    final boolean isWritten() {
        return writtenAttempt == attempt();
    }

    /**
     * The request frame of {@code attempt} reached the socket. Told as the write completes, on
     * the I/O thread, before the link reports its close.
     */
    final void written(int attempt) {
        if (attempt == attempt()) { // a late write of an earlier attempt says nothing of this one
            writtenAttempt = attempt;
        }
    }

    /**
     * Withdraws the request unless it has been handed to the transport: true if the server can
     * never see it, because no connection will ever hand it over.
     */
    final boolean withdraw() {
        while (true) {
            int h = handover;
            int state = h & STATE_BITS;
            if (state == HANDED_OVER) {
                return false;
            }
            if (state == WITHDRAWN || HANDOVER.compareAndSet(this, h, (h & ~STATE_BITS) | WITHDRAWN)) {
                return !mayHaveRun;
            }
        }
    }
}
