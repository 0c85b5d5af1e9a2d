package dev.hermod.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The difference of two readings of the process's counters. */
class UsageTest {

    @Test
    void since_threadsThatEndedInBetween_neverMakeSwitchesNegative() {
        // 500 switches were read before; a thread that had 200 of them ended, and the others made 50 more.
        Usage before = new Usage(1_000, 500);
        Usage after = new Usage(3_000, 350);

        Usage used = after.since(before);

        assertThat(used.cpuNanos()).isEqualTo(2_000);
        assertThat(used.switches()).isZero();
    }

    @Test
    void since_unknownCounters_stayUnknown() {
        assertThat(new Usage(5, -1).since(new Usage(1, 3))).isEqualTo(new Usage(4, -1));
        assertThat(new Usage(-1, 9).since(new Usage(1, 3))).isEqualTo(new Usage(-1, 6));
    }
}
