package dev.hermod.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class OptionsTest {

    @Test
    void parse_sizesWithSuffixes_andDefaults() {
        Options o = Options.parse("bulk", "--bytes", "2g", "--chunk=128KiB", "--seconds", "0.5");

        assertThat(o.scenarios()).containsExactly("bulk");
        assertThat(o.bytes()).isEqualTo(2L << 30);
        assertThat(o.chunk()).isEqualTo(128 << 10);
        assertThat(o.window()).isEqualTo(5);
        assertThat(o.asyncWindow()).isEqualTo(128);
        assertThat(o.calls()).isEqualTo(20_000);
        assertThat(o.duration().toMillis()).isEqualTo(500);
    }

    @Test
    void parse_all_expandsToEveryScenarioOnce() {
        assertThat(Options.parse("latency", "all").scenarios()).containsExactly("latency", "bulk", "throughput", "oneway");
    }

    @Test
    void parse_badValues_throwIllegalArgument() {
        assertThatThrownBy(() -> Options.parse("bulk", "--chunk", "64q"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64q");
        assertThatThrownBy(() -> Options.parse("bulk", "--chunk", "1g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--chunk");
        assertThatThrownBy(() -> Options.parse("bulk", "--window", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--window");
        assertThatThrownBy(() -> Options.parse("twoway"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown scenario 'twoway'");
        assertThatThrownBy(() -> Options.parse("bulk", "--bogus", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bogus");
    }
}
