package dev.hermod.internal.transport;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether growing a connection pool for load pays off. The pool asks to grow once its least
 * loaded connection has been busy for most of a {@linkplain #window window}. The connection it
 * then opens is on trial for three rounds of four windows: in each round calls use it in the first
 * and the last window, and not in the two between ({@link #parked()}), while this counts the calls
 * completed in each. The connection is kept if, in every round, calls completed at least
 * {@link #MIN_GAIN} times as fast with it as without it, and given back otherwise
 * ({@link #judge()}). After a connection given back, the pool keeps its size for a while, twice
 * as long after each connection given back in a row, since the load may change. The order with,
 * without, without, with cancels a steady drift of the rate (a load rising) that a before-and-after
 * comparison would credit to the connection; the later rounds guard against a drift that is not
 * steady (a JIT compiler at work) and against chance.
 *
 * <p>Why measure: a connection is worth opening when connections are what holds calls back (a
 * server that reads each connection on one thread, a TCP window). When the processors are (a small
 * machine running both sides), more connections only split the same work into smaller reads and
 * writes, and lose throughput. A count of outstanding calls cannot tell the two apart.
 *
 * <p>A window without the trial connection starts once the calls it took before are done: until
 * then they use what the other connections would (a server thread, a lock), and counting them on
 * either side would bias the verdict. A trial in which nothing completed, or whose connection
 * keeps calls for more than {@link #DRAIN_WINDOWS} windows once parked (calls the servant holds), says nothing
 * either way: the connection is kept, as it would be without measuring. Neither does a trial the load stopped
 * during (a window that lasted three): the quiet period closes that connection if nobody uses it.
 *
 * <p>Not thread-safe: the pool calls it under its lock. Reads the clock only every
 * {@link #SAMPLE}th call while it has something to time, so that a busy pool pays no clock read
 * per call.
 */
final class Growth<C extends ConnectionPool.Member> {
    /** The pool's logger: its verdicts are the pool's decisions. */
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);
    /** The least a trial connection must multiply the completion rate by to be kept. */
    static final double MIN_GAIN = 1.2;
    /**
     * How many windows the calls a parked connection took before may take to end; past that the
     * trial ends without a verdict.
     */
    static final int DRAIN_WINDOWS = 10;
    /** Calls between two readings of the clock; a power of two. */
    static final int SAMPLE = 32;
    /**
     * The trial's windows, in order: whether the trial connection takes calls in each. Judged in
     * three rounds of four, each of which must show the gain: on a busy two-core machine one
     * round's ratio varies by 15% either way.
     */
    private static final boolean[] WITH = {true, false, false, true, true, false, false, true, true, false, false, true};
    private static final int ROUND = 4;

    private enum Phase {
        /** Not busy, or growing is not possible. */
        CALM,
        /** The least loaded connection was busy at {@link #since}; counting busy and calm calls. */
        BUSY,
        /** A connection is being opened for a trial. */
        OPENING,
        /** A connection is on trial, in window {@link #slice} since {@link #since}. */
        TRIAL
    }

    private final long window;
    private final long firstHold;
    private final long maxHold;
    private final LongSupplier clock;
    /** Calls completed since the pool began, as the pool counts them; only differences matter. */
    private final LongSupplier completed;

    private Phase phase = Phase.CALM;
    private long since;
    private int ticks;
    /** While {@link Phase#BUSY}: calls that found the least loaded connection busy, and not. */
    private int busyCalls;
    private int calmCalls;
    /** While {@link Phase#TRIAL}: the connection, its window, and the count when the window began. */
    private C trial;
    private int slice;
    private long count;
    private long withCalls;
    private long withNanos;
    private long withoutCalls;
    private long withoutNanos;
    /** The trial connection while it takes no calls; null otherwise. */
    private C parked;
    /** When it was parked. */
    private long parkedAt;
    /** Growth waits until then after a connection was given back; valid while {@link #holding}. */
    private long heldUntil;
    private boolean holding;
    private long hold;
    /**
     * What the trial's rounds measured so far, completions per second with the connection and
     * without it; formatted only when logged ({@link #toString()}).
     */
    private final double[] roundWith = new double[WITH.length / ROUND];
    private final double[] roundWithout = new double[WITH.length / ROUND];
    private int rounds;
    private final String target;

    /**
     * @param window how long the pool must be busy before it grows, and each window of a trial
     * @param firstHold how long the pool keeps its size after a first connection given back
     * @param maxHold the longest it keeps it after several in a row
     * @param clock nanoseconds, as {@link System#nanoTime()}
     * @param completed the calls completed so far
     * @param target where the pool connects, for the log
     */
    Growth(long window, long firstHold, long maxHold, LongSupplier clock, LongSupplier completed, String target) {
        this.target = target;
        this.window = window;
        this.firstHold = firstHold;
        this.maxHold = maxHold;
        this.hold = firstHold;
        this.clock = clock;
        this.completed = completed;
    }

    /** The defaults: windows of 100 ms, then 5 s to 80 s without growing after a connection given back. */
    static <C extends ConnectionPool.Member> Growth<C> standard(LongSupplier completed, String target) {
        return new Growth<>(TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.SECONDS.toNanos(5),
                TimeUnit.SECONDS.toNanos(80), System::nanoTime, completed, target);
    }

    /**
     * A call found the least loaded connection busy, and the pool could open one more: returns
     * whether it should open it now (busy for most of a window, and no connection was given back
     * lately). The pool then opens one and reports it with {@link #opened} or {@link #openFailed}.
     */
    boolean busy() {
        switch (phase) {
            case CALM -> {
                phase = Phase.BUSY;
                restart(clock.getAsLong());
                busyCalls = 1;
                return false;
            }
            case BUSY -> {
                busyCalls++;
                if ((++ticks & (SAMPLE - 1)) != 0) {
                    return false;
                }
                long now = clock.getAsLong();
                long busyFor = now - since;
                if (busyFor < window) {
                    return false;
                }
                if (busyFor > 3 * window || busyCalls < calmCalls || (holding && now - heldUntil < 0)) {
                    restart(now); // a stale window, a calm one, or too soon after a connection given back
                    return false;
                }
                holding = false;
                phase = Phase.OPENING;
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void restart(long now) {
        since = now;
        ticks = 0;
        busyCalls = 0;
        calmCalls = 0;
    }

    /** A call found the least loaded connection not busy. */
    void calm() {
        if (phase == Phase.BUSY) {
            calmCalls++;
        }
    }

    /** The connection opened for growth is ready: its trial starts, with it taking calls. */
    void opened(C connection) {
        if (phase == Phase.OPENING) {
            phase = Phase.TRIAL;
            trial = connection;
            slice = 0;
            withCalls = withNanos = withoutCalls = withoutNanos = 0;
            rounds = 0;
            since = clock.getAsLong();
            count = completed.getAsLong();
            ticks = 0;
        }
    }

    /** The connection opened for growth failed to open. */
    void openFailed() {
        if (phase == Phase.OPENING) {
            phase = Phase.CALM;
        }
    }

    /** {@code connection} closed: if it was on trial, the trial ends without a verdict. */
    void closed(C connection) {
        if (phase == Phase.TRIAL && trial == connection) {
            end();
        }
    }

    /** Whether a connection is being opened for growth, or is on trial. */
    boolean isTrying() {
        return phase == Phase.OPENING || phase == Phase.TRIAL;
    }

    /** The connection on trial while it must take no calls, or null. */
    C parked() {
        return parked;
    }

    /**
     * A call started: during a trial, moves to its next window when one has passed, and after the
     * last returns the connection to give back if it did not pay off; null otherwise.
     */
    C judge() {
        if (phase != Phase.TRIAL || (++ticks & (SAMPLE - 1)) != 0) {
            return null;
        }
        long now = clock.getAsLong();
        if (parked != null && parked.pendingCalls() > 0) {
            // Calls it took before it was parked still run, and use what the others would: the
            // window without it starts once they are done.
            if (now - parkedAt > DRAIN_WINDOWS * window) {
                end(); // they do not end (calls the servant holds): no verdict
                return null;
            }
            since = now;
            count = completed.getAsLong();
            return null;
        }
        long length = now - since;
        if (length < window) {
            return null;
        }
        if (length > 3 * window) {
            end(); // the load stopped meanwhile: no verdict
            return null;
        }
        long done = completed.getAsLong();
        if (WITH[slice]) {
            withCalls += done - count;
            withNanos += length;
        } else {
            withoutCalls += done - count;
            withoutNanos += length;
        }
        since = now;
        count = done;
        slice++;
        double with = withCalls * 1e9 / Math.max(1, withNanos);
        double without = withoutCalls * 1e9 / Math.max(1, withoutNanos);
        boolean paid = with >= without * MIN_GAIN; // also when nothing completed: no verdict
        if (slice % ROUND == 0) { // a round ends
            withCalls = withNanos = withoutCalls = withoutNanos = 0;
            roundWith[rounds] = with;
            roundWithout[rounds++] = without;
        }
        if (slice < WITH.length && (paid || slice % ROUND != 0)) {
            if (!WITH[slice] && parked == null) {
                parkedAt = now;
            }
            parked = WITH[slice] ? null : trial;
            return null;
        }
        C connection = trial;
        end();
        if (paid) {
            hold = firstHold;
            log.debug("{}: kept a connection opened for load: calls completed at {}", target, this);
            return null;
        }
        log.debug("{}: gave back a connection opened for load: calls completed at {}; the pool keeps its size"
                + " for {} s", target, this, TimeUnit.NANOSECONDS.toSeconds(hold));
        holding = true;
        heldUntil = now + hold;
        hold = Math.min(maxHold, hold * 2);
        return connection;
    }

    private void end() {
        phase = Phase.CALM;
        trial = null;
        parked = null;
    }

    /** What the last trial measured, round by round. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rounds; i++) {
            b.append(i == 0 ? "" : ", then ")
                    .append(String.format("%.0f/s with it and %.0f/s without", roundWith[i], roundWithout[i]));
        }
        return b.toString();
    }
}
