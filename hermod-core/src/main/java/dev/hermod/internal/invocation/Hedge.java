package dev.hermod.internal.invocation;

import dev.hermod.AsyncResult;
import dev.hermod.RpcException;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link AsyncResult#hedge}: attempts of one idempotent call, each sent {@code delay} after the
 * previous one unless an answer came first; the first answer wins and the other attempts are
 * canceled, on their servers too (a CANCEL frame for a request already written).
 *
 * <p>An answer is what a servant said: a value, a declared exception, or any failure but those
 * in {@link #unanswered}, after which another attempt may still get one, so the next is sent at
 * once. The attempts are made by the caller's supplier, in the calling thread for the first and
 * on the first attempt's callback executor for the others, never on the timer's thread.
 *
 * <p>The future is a {@link Combinators.Combined}: its completion, of any kind, cancels the
 * attempts in progress and the timer. Thread-safe; the state is guarded by {@code this}.
 */
public final class Hedge<T> extends Combinators.Combined<T> {
    private final long delayNanos;
    private final int maxAttempts;
    private final Supplier<? extends AsyncResult<? extends T>> supplier;
    private final List<AsyncResult<?>> attempts = new ArrayList<>();
    private volatile Executor executor = ForkJoinPool.commonPool();
    /** Attempts claimed, made or being made. */
    private int launched;
    /** Attempts that ended without an answer. */
    private int unanswered;
    private Timeout timer;
    private SharedTimer.Lease lease;

    private Hedge(Duration delay, int maxAttempts, Supplier<? extends AsyncResult<? extends T>> supplier) {
        this.delayNanos = delay.toNanos();
        this.maxAttempts = maxAttempts;
        this.supplier = supplier;
    }

    /**
     * Makes the first attempt in the calling thread and arranges the others.
     *
     * @throws IllegalArgumentException for a delay that is not positive, fewer than 2 attempts, or
     *     a first attempt that cannot be hedged (which is canceled)
     */
    public static <T> CompletableFuture<T> start(Duration delay, int attempts,
            Supplier<? extends AsyncResult<? extends T>> attempt) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(attempt, "attempt");
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("hedge delay must be positive: " + delay);
        }
        if (attempts < 2) {
            throw new IllegalArgumentException("a hedge needs at least 2 attempts: " + attempts);
        }
        Hedge<T> hedge = new Hedge<>(delay, attempts, attempt);
        synchronized (hedge) {
            hedge.launched = 1;
        }
        AsyncResult<? extends T> first = hedge.make();
        if (first instanceof CompletableFuture<?> f) {
            hedge.executor = f.defaultExecutor(); // a Hermod result's: the client's callback executor
        }
        synchronized (hedge) { // before the first outcome, which may ask for the next attempt
            hedge.attempts.add(first);
            hedge.lease = SharedTimer.acquire();
            hedge.schedule();
        }
        hedge.listen(first);
        return hedge;
    }

    /**
     * Asks the supplier for one attempt and checks it.
     *
     * @throws IllegalArgumentException if it cannot be hedged; it is then canceled
     */
    private AsyncResult<? extends T> make() {
        AsyncResult<? extends T> r = Objects.requireNonNull(supplier.get(), "the hedge's supplier returned null");
        String refusal = refusal(r);
        if (refusal != null) {
            r.cancel();
            throw new IllegalArgumentException("cannot hedge " + refusal);
        }
        return r;
    }

    /** Why {@code r} cannot be an attempt, or null if it can. */
    private String refusal(AsyncResult<?> r) {
        synchronized (this) {
            for (AsyncResult<?> earlier : attempts) {
                if (earlier == r) {
                    return "the same result twice: each attempt must be a new call";
                }
            }
        }
        if (!(r instanceof AsyncResultImpl<?> impl)) {
            return null; // not Hermod's: nothing to check, the caller vouches for it
        }
        Call call = impl.call();
        String what = call.describe();
        if (call.isOneway() || call.batched) {
            return what + ": a oneway or batched call has no answer to wait for";
        }
        if (call.streams != null) {
            return what + ": a call with streams cannot be sent twice";
        }
        if (!call.operation().isDynamic() && !call.operation().isIdempotent()) {
            return what + ": it is not @Idempotent, and a second attempt could run it twice (for method "
                    + call.operation().displayName() + ")";
        }
        return null;
    }

    /** Keeps a later attempt, to cancel it with the others, and listens to it. */
    private void watch(AsyncResult<? extends T> attempt) {
        synchronized (this) {
            attempts.add(attempt);
        }
        if (isDone()) {
            attempt.cancel(); // the hedge ended while the attempt was being made
            return;
        }
        listen(attempt);
    }

    /** Takes the attempt's answer, or makes the next attempt at once if it got none. */
    private void listen(AsyncResult<? extends T> attempt) {
        attempt.onComplete((value, failure) -> {
            if (failure == null) {
                complete(value);
                return;
            }
            Throwable cause = Combinators.unwrap(failure);
            if (!unanswered(cause)) {
                completeExceptionally(cause);
                return;
            }
            boolean last;
            synchronized (this) {
                unanswered++;
                last = unanswered == maxAttempts;
            }
            if (last) {
                completeExceptionally(cause); // every attempt was made, and none got an answer
            } else {
                launch(); // no answer from this one: the next need not wait for the delay
            }
        });
    }

    /** Claims the next attempt, if the hedge still wants one. Guarded by this. */
    private boolean claim() {
        if (isDone() || launched == maxAttempts) {
            return false;
        }
        launched++;
        return true;
    }

    /** Makes the next attempt, if the hedge still wants one. */
    private void launch() {
        synchronized (this) {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            if (!claim()) {
                return;
            }
            schedule();
        }
        AsyncResult<? extends T> attempt;
        try {
            attempt = make();
        } catch (RuntimeException | Error e) {
            completeExceptionally(e);
            return;
        }
        watch(attempt);
    }

    /** Arms the timer for the attempt after the one just claimed. Guarded by this. */
    private void schedule() {
        if (launched < maxAttempts && !isDone()) {
            timer = lease.timer().newTimeout(t -> {
                try {
                    executor.execute(this::launch);
                } catch (RejectedExecutionException e) {
                    // The client is closing: the attempts in progress end, and the hedge with them.
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Whether a failure leaves the question open: the attempt got no answer from a servant
     * (connection lost or refused, the server had no room, the attempt's own deadline passed, it
     * was canceled), so another attempt may still get one.
     */
    static boolean unanswered(Throwable t) {
        if (!(t instanceof RpcException r)) {
            return false; // a declared exception: the servant's answer
        }
        return r.isUnprocessed() || switch (r.status()) {
            case UNAVAILABLE, RESOURCE_EXHAUSTED, TIMEOUT, CANCELED -> true;
            default -> false;
        };
    }

    @Override
    void cancelInputs() {
        List<AsyncResult<?>> running;
        synchronized (this) {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            if (lease != null) {
                lease.close();
            }
            running = List.copyOf(attempts);
        }
        for (AsyncResult<?> r : running) {
            r.cancel();
        }
    }
}
