package dev.hermod.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The growth trial's decisions, on a clock and a count of completed calls the test moves: when the
 * pool may grow, which windows the trial connection sits out, and what the verdict is.
 */
class GrowthTest {
    private static final long WINDOW = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long HOLD = TimeUnit.SECONDS.toNanos(5);

    private long now = 1_000_000_000L;
    private long completed;
    private final Growth<TestMember> growth = new Growth<>(WINDOW, HOLD, 4 * HOLD, () -> now, () -> completed, "test");
    private final TestMember trial = new TestMember();

    /** {@code n} sampling periods of busy calls; true if the pool was told to grow. */
    private boolean busyCalls(int n) {
        boolean grow = false;
        for (int i = 0; i < n * Growth.SAMPLE; i++) {
            grow |= growth.busy();
        }
        return grow;
    }

    /** One sampling period of calls started: the verdict, if one came. */
    private TestMember started() {
        TestMember verdict = null;
        for (int i = 0; i < Growth.SAMPLE; i++) {
            TestMember v = growth.judge();
            verdict = v != null ? v : verdict;
        }
        return verdict;
    }

    /** Busy for a window: the pool is told to grow, and the connection opens. */
    private void grow() {
        assertThat(busyCalls(1)).isFalse();
        now += WINDOW;
        assertThat(busyCalls(1)).as("busy for a window").isTrue();
        growth.opened(trial);
    }

    /**
     * One window of the trial passes with {@code with} completions per window while the trial
     * connection takes calls and {@code without} while it does not; returns the verdict, if any.
     */
    private TestMember window(long with, long without) {
        completed += growth.parked() == null ? with : without;
        now += WINDOW;
        return started();
    }

    @Test
    void busyForLessThanAWindow_doesNotGrow() {
        assertThat(busyCalls(1)).isFalse();
        now += WINDOW / 2;
        assertThat(busyCalls(4)).isFalse();
    }

    @Test
    void calmForMostOfTheWindow_startsTheWindowAgain() {
        assertThat(busyCalls(1)).isFalse();
        for (int i = 0; i < 3 * Growth.SAMPLE; i++) {
            growth.calm();
        }
        now += WINDOW;
        assertThat(busyCalls(1)).as("more calm calls than busy ones").isFalse();
        now += WINDOW;
        assertThat(busyCalls(1)).as("busy for the window since").isTrue();
    }

    @Test
    void connectionThatDoublesTheRate_isKept_afterThreeRounds() {
        grow();
        assertThat(growth.parked()).isNull();
        boolean[] satOut = new boolean[12];
        for (int i = 0; i < 12; i++) {
            satOut[i] = growth.parked() == trial;
            assertThat(window(2_000, 1_000)).isNull();
        }
        assertThat(satOut).containsExactly(false, true, true, false, false, true, true, false, false, true, true, false);
        assertThat(growth.isTrying()).as("the trial is over").isFalse();
        assertThat(growth.parked()).isNull();
    }

    @Test
    void connectionThatAddsNothing_isGivenBack_afterOneRound_andGrowthWaits() {
        grow();
        assertThat(window(1_000, 1_000)).isNull();
        assertThat(window(1_000, 1_000)).isNull();
        assertThat(window(1_000, 1_000)).isNull();
        assertThat(window(1_000, 1_000)).isSameAs(trial);
        assertThat(growth.parked()).isNull();
        assertThat(growth.toString()).isEqualTo("10000/s with it and 10000/s without");

        // Busy all along, but the pool keeps its size for the hold: 5 s.
        assertThat(busyCalls(1)).isFalse();
        now += WINDOW;
        assertThat(busyCalls(1)).as("busy for a window, but held").isFalse();
        now += HOLD - 2 * WINDOW;
        assertThat(busyCalls(1)).as("held, and a stale window starts again").isFalse();
        now += WINDOW / 2;
        assertThat(busyCalls(1)).as("busy for half a window").isFalse();
        now += WINDOW / 2;
        assertThat(busyCalls(1)).as("the hold has passed").isTrue();

        // Given back again: the next hold is twice as long.
        growth.opened(trial);
        for (int i = 0; i < 3; i++) {
            window(1_000, 1_000);
        }
        assertThat(window(1_000, 1_000)).isSameAs(trial);
        assertThat(busyCalls(1)).isFalse();
        now += HOLD;
        assertThat(busyCalls(1)).isFalse(); // a stale window starts again
        now += WINDOW;
        assertThat(busyCalls(1)).as("busy for a window past 5 s: still held").isFalse();
        now += HOLD - 2 * WINDOW;
        assertThat(busyCalls(1)).isFalse(); // a stale window starts again
        now += WINDOW;
        assertThat(busyCalls(1)).as("busy for a window, 10 s after").isTrue();
    }

    @Test
    void aGainInTheFirstTwoRoundsOnly_isNotEnough() {
        grow();
        for (int i = 0; i < 8; i++) {
            assertThat(window(2_000, 1_000)).isNull();
        }
        assertThat(growth.isTrying()).as("the third round runs").isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(window(1_000, 1_000)).isNull();
        }
        assertThat(window(1_000, 1_000)).isSameAs(trial);
    }

    @Test
    void aRateRisingSteadily_isNotCreditedToTheConnection() {
        grow();
        TestMember verdict = null;
        for (int i = 0; i < 8 && verdict == null; i++) {
            completed += 1_000 + 100 * i; // 10% more each window, whoever takes the calls
            now += WINDOW;
            verdict = started();
        }
        assertThat(verdict).isSameAs(trial);
    }

    @Test
    void callsTheParkedConnectionStillRuns_areNotCounted_untilTheyAreDone() {
        grow();
        window(1_000, 1_000);
        assertThat(growth.parked()).isSameAs(trial);
        trial.pending.set(50);
        // Its calls from before take all the server has: nothing else completes for a while.
        completed += 50;
        now += 2 * WINDOW;
        assertThat(started()).isNull();
        assertThat(growth.parked()).as("the window without it has not begun").isSameAs(trial);
        trial.pending.set(0);
        // From here on: 500 per window without it, 2,000 with it.
        assertThat(started()).isNull();
        TestMember verdict = null;
        for (int i = 0; i < 11 && verdict == null; i++) {
            completed += growth.parked() == null ? 2_000 : 500;
            now += WINDOW;
            verdict = started();
        }
        assertThat(verdict).isNull();
        assertThat(growth.isTrying()).isFalse();
    }

    @Test
    void callsTheParkedConnectionHolds_endTheTrialWithoutAVerdict() {
        grow();
        window(1_000, 1_000);
        trial.pending.set(10);
        now += Growth.DRAIN_WINDOWS * WINDOW;
        assertThat(started()).isNull();
        assertThat(growth.isTrying()).isTrue();
        now += WINDOW;
        assertThat(started()).isNull();
        assertThat(growth.isTrying()).as("held longer than the trial waits").isFalse();
        assertThat(growth.parked()).isNull();
        assertThat(busyCalls(1)).as("not held: no connection was given back").isFalse();
        now += WINDOW;
        assertThat(busyCalls(1)).isTrue();
    }

    @Test
    void nothingCompleting_keepsTheConnection() {
        grow();
        TestMember verdict = null;
        for (int i = 0; i < 12; i++) {
            verdict = verdict != null ? verdict : window(0, 0);
        }
        assertThat(verdict).isNull();
        assertThat(growth.isTrying()).isFalse();
    }

    @Test
    void loadStoppingDuringTheTrial_endsItWithoutAVerdict() {
        grow();
        window(1_000, 1_000);
        now += 10 * WINDOW;
        assertThat(started()).isNull();
        assertThat(growth.isTrying()).isFalse();
    }

    @Test
    void trialConnectionClosing_endsTheTrial() {
        grow();
        window(1_000, 1_000);
        growth.closed(new TestMember());
        assertThat(growth.isTrying()).as("another connection").isTrue();
        growth.closed(trial);
        assertThat(growth.isTrying()).isFalse();
        assertThat(growth.parked()).isNull();
    }

    @Test
    void failedOpen_letsThePoolTryAgain() {
        assertThat(busyCalls(1)).isFalse();
        now += WINDOW;
        assertThat(busyCalls(1)).isTrue();
        assertThat(busyCalls(4)).as("one at a time").isFalse();
        growth.openFailed();
        assertThat(busyCalls(1)).isFalse();
        now += WINDOW;
        assertThat(busyCalls(1)).isTrue();
    }
}
