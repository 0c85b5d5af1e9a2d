package dev.hermod.internal.invocation;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Arms the deadlines of one peer's calls a little after they start instead of as they start: a
 * call joins a queue, and a sweep on the timer's thread, one tick later, arms a timeout only for
 * the calls still in progress then. Most calls are over by then (a pipelined call on loopback
 * takes tens of microseconds), so they never cost a timeout: its object, the timer's clock read,
 * and its add and cancel on the wheel. A call is armed with the time its deadline leaves at the
 * sweep, so the deadline itself does not move; only a deadline nearer than
 * {@link #LATE_MIN_NANOS} is armed as the call starts, because a sweep could come after it.
 *
 * <p>A finished call stays in the queue until the next sweep, about one tick of the timer
 * (10 ms): that, at most, is what the queue holds on to.
 *
 * <p>Thread-safe: any thread {@linkplain #add adds}; the sweep runs on the timer's one thread.
 */
final class Deadlines implements TimerTask {
    /** A deadline nearer than this is armed as its call starts ({@link Call#start}). */
    static final long LATE_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** From a call's joining the queue to the sweep that arms it: one tick of the shared timer. */
    private static final long SWEEP_MILLIS = 10;
    /** The most calls one sweep takes; more wait for the next, so the timer's thread is not held. */
    private static final int MAX_PER_SWEEP = 1 << 20;

    private final Timer wheel;
    /** Calls whose deadlines are not armed yet, in the order they started. */
    private final Queue<Call> fresh = PlatformDependent.newMpscQueue();
    /** Whether a sweep is scheduled; a call that finds none schedules one. */
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();

    Deadlines(Timer wheel) {
        this.wheel = wheel;
    }

    /** Has the deadline of {@code call}, which is in progress, armed at the next sweep unless the call is over by then. */
    void add(Call call) {
        fresh.offer(call);
        // After the offer: a sweep that reset the flag before this read takes the call, and one
        // scheduled here does too.
        if (!sweepScheduled.get() && sweepScheduled.compareAndSet(false, true)) {
            wheel.newTimeout(this, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** The sweep: arms the deadlines of the calls still in progress; on the timer's thread. */
    @Override
    public void run(Timeout timeout) {
        sweepScheduled.set(false); // before the queue is read: a call added from here on schedules the next
        Call call;
        for (int n = 0; n < MAX_PER_SWEEP && (call = fresh.poll()) != null; n++) {
            call.armLate();
        }
        if (!fresh.isEmpty() && sweepScheduled.compareAndSet(false, true)) {
            wheel.newTimeout(this, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
