package dev.hermod.internal.invocation;

import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.dispatch.Executors2;
import dev.hermod.internal.dispatch.SerialExecutor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The layer of an {@link AsyncResultImpl} that decides which thread completes it once its call's
 * outcome is known, and completes it there, decoding a reply on the way: on the client's callback
 * executor, or, when the outcome arrives while threads wait for it and nothing depends on the
 * result yet, on the first of those threads to wake. So dependent stages never run on an I/O
 * thread, decoding (which may run user code) never does either, and a thread waiting for the
 * result is woken by the I/O thread itself, sparing the callback executor a wake-up on the way.
 * The exception: a client built with {@code directCallbacks()} settles a reply on the I/O thread
 * that read it. A layer of the result's class rather than an object of its own: one object less
 * per asynchronous call. It is the task that settles the result ({@link #run}), not for other
 * callers.
 *
 * <p>Thread-safe: the state is one word changed by compare-and-set ({@link #waitState}).
 */
abstract class ResultSettler<T> extends ResultFuture<T> implements Runnable {
    /** In {@link #waitState}: the outcome is there and its settling is arranged. */
    private static final int DECIDED = 1 << 29;
    /** In {@link #waitState}: ... and it was left to the waiting threads. */
    private static final int DEFERRED = 1 << 30;
    private static final VarHandle CLAIMED;
    private static final VarHandle WAIT_STATE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLAIMED = lookup.findVarHandle(ResultSettler.class, "claimed", boolean.class);
            WAIT_STATE = lookup.findVarHandle(ResultSettler.class, "waitState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The call whose outcome this result settles with. */
    final Call call;
    /** The thread settling the result in {@link #run}, while it does. */
    private volatile Thread settler;
    /** Set by the one thread that decodes the reply and completes the result with it. */
    private volatile boolean claimed;
    /**
     * The threads blocked waiting for the outcome (low bits), {@link #DECIDED} once it is known how
     * the arrived outcome is settled, and {@link #DEFERRED} if it arrived while some waited and
     * settling it was left to them: the first to wake settles it.
     */
    private volatile int waitState;
    /** Completed once {@link #DECIDED} is set; created by the first waiter. */
    private volatile CompletableFuture<Void> decided;

    ResultSettler(Call call) {
        this.call = call;
    }

    /** The lane the progress reports run on, if any were reported or listened for; else null. */
    abstract SerialExecutor progressLane();

    /** Completes the result with the decoded value, or with {@code failure}. */
    abstract void settle(Object value, Throwable failure);

    /** Completes the result at once if its outcome is known and needs no decoding here. */
    abstract void settleIfDecided();

    /**
     * The call's outcome arrived (on whichever thread decided it). Settles on the callback
     * executor, behind the progress reports already received: they arrive on the I/O thread
     * before the reply, so listeners see every report made before the servant answered by the
     * time the result completes. With no progress lane, a thread waiting for the result may
     * settle it instead; waiters are woken once that is decided. Otherwise, if {@code here}, this
     * thread settles it: an I/O thread that read the reply, of a client with direct callbacks.
     */
    final void arrived(boolean here) {
        SerialExecutor lane = progressLane();
        if (!decide(lane == null)) {
            if (lane != null) {
                lane.execute(this);
            } else if (here) {
                run(); // the client asked for it: decode, settle and run the callbacks here
            } else {
                hop(this);
            }
        }
        CompletableFuture<Void> signal = decided; // created before its waiter counted itself in
        if (signal != null) {
            signal.complete(null);
        }
    }

    /**
     * Decides who settles the arrived outcome: the threads waiting for it, if {@code mayDefer},
     * some are waiting and no dependent stage would then run in one of them; otherwise the caller
     * arranges it. Returns whether it was left to the waiters.
     */
    private boolean decide(boolean mayDefer) {
        while (true) {
            int state = waitState;
            boolean deferred = mayDefer && state != 0 && getNumberOfDependents() == 0
                    && !hasSettledCallbacks();
            if (WAIT_STATE.compareAndSet(this, state, state | DECIDED | (deferred ? DEFERRED : 0))) {
                return deferred;
            }
        }
    }

    /**
     * Waits until the call's outcome is there and it is decided who settles the result, or
     * until {@code until} (a {@link System#nanoTime} value), as a registered waiter: should the
     * outcome arrive meanwhile and nothing else depend on the result, this thread settles it.
     * Returns early, without an exception, on timeout. Before it returns, the thread spins a
     * little for the result, which another thread may be settling ({@link SpinWait}).
     */
    void awaitOutcome(long until) throws InterruptedException {
        if (isDone()) {
            return; // callers have refused to wait on an I/O thread, so decoding never runs there
        }
        awaitDecided(until);
        call.spinOn(this, until);
    }

    private void awaitDecided(long until) throws InterruptedException {
        CompletableFuture<Void> signal = decided;
        if (signal == null) {
            synchronized (this) {
                signal = decided;
                if (signal == null) {
                    signal = new CompletableFuture<>();
                    decided = signal;
                }
            }
        }
        while (true) {
            int state = waitState;
            if ((state & DECIDED) != 0) {
                return; // someone is settling it, or a waiter did: the caller waits for the result
            }
            if (WAIT_STATE.compareAndSet(this, state, state + 1)) {
                break;
            }
        }
        try {
            call.spinOn(signal, until);
            long nanos = until - System.nanoTime();
            if (nanos > 0) {
                signal.get(nanos, TimeUnit.NANOSECONDS);
            }
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            // not decided yet: the caller looks at the result itself
        } finally {
            int before = (int) WAIT_STATE.getAndAdd(this, -1);
            if ((before & DEFERRED) != 0) { // left to the waiters: settle it, even if interrupted
                CompletableFuture<Object> outcome = call.outcome();
                Throwable failure = Waiting.failureOf(outcome);
                settleDecoding(failure == null ? outcome.join() : null, failure);
            }
        }
    }

    /**
     * A thread waiting in {@code value()} was interrupted. As for the synchronous call: the thread keeps its interrupt status and the invocation is
     * canceled. A checked {@code InterruptedException} must not escape {@link #value()}, whose
     * typed forms declare only the operation's own exceptions.
     */
    RuntimeException interruptedWhileWaiting() {
        Thread.currentThread().interrupt();
        if (call.cancel(": the waiting thread was interrupted")) {
            settleIfDecided();
        }
        Throwable failure = Waiting.failureOf(call.outcome());
        if (failure instanceof dev.hermod.RpcException r) { // canceled now, or failed just before
            return Exceptions.forCaller(r);
        }
        // The outcome arrived first: it stays in this result for whoever looks without waiting.
        return Failures.canceled("waiting for " + call.describe()
                + " was interrupted; the invocation completed meanwhile", null, false);
    }

    /**
     * Settles the arrived outcome on the callback executor's thread, which then also runs the
     * callbacks already registered, instead of handing each to the executor again. Runs once,
     * handed off by {@link #arrived}; not for other callers.
     */
    @Override
    public final void run() {
        settler = Thread.currentThread();
        try {
            // The call's outcome, decided before the hand-off and never changed since: read here
            // rather than kept in fields of this result, two fields less per result.
            CompletableFuture<Object> outcome = call.outcome();
            Throwable failure = Waiting.failureOf(outcome);
            settleDecoding(failure == null ? outcome.getNow(null) : null, failure);
        } finally {
            settler = null;
        }
    }

    /**
     * Settles with the outcome, decoding a reply here: on the callback executor's thread, or on a
     * thread waiting for the result, never on an I/O thread (decoding may run user code) unless
     * the client asked for direct callbacks.
     */
    private void settleDecoding(Object outcome, Throwable failure) {
        if (failure != null) {
            settle(null, failure); // nothing to decode: whoever comes first completes it
            return;
        }
        if (isDone() || !CLAIMED.compareAndSet(this, false, true)) {
            return; // settled, or being decoded by another thread
        }
        try {
            settle(Reply.resolve(call, outcome), null);
        } catch (Throwable t) {
            settle(null, t);
        }
    }

    /** Whether the calling thread is settling the result on the callback executor. */
    @Override
    final boolean settlingHere() {
        return Thread.currentThread() == settler;
    }

    /**
     * Runs {@code task} on the callback executor; if the executor refuses (it shut down), here, or
     * on the common pool if this is an I/O thread. From an I/O thread, the tasks of one turn of its
     * event loop go to the executor together ({@link dev.hermod.internal.transport.Transport#handOff}).
     */
    @Override
    final void hop(Runnable task) {
        try {
            dev.hermod.internal.transport.Transport.handOff(callbacks(), task);
        } catch (RejectedExecutionException e) {
            Executors2.runRefused(task);
        }
    }
}
