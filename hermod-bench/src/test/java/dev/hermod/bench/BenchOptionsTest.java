package dev.hermod.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

final class BenchOptionsTest {

    /** What {@code java -jar hermod-bench.jar} parses into, before it runs anything. */
    private static BenchOptions parse(String... args) {
        BenchMain.Standalone command = new BenchMain.Standalone(Map.of(), System.out);
        new CommandLine(command).parseArgs(args);
        return command.options;
    }

    @Test
    void settings_sizesWithSuffixes_andDefaults() {
        Options o = parse("bulk", "--bytes", "2g", "--chunk=128KiB", "--seconds", "0.5").settings();

        assertThat(o.scenarios()).containsExactly("bulk");
        assertThat(o.bytes()).isEqualTo(2L << 30);
        assertThat(o.chunk()).isEqualTo(128 << 10);
        assertThat(o.window()).isEqualTo(5);
        assertThat(o.asyncWindow()).isEqualTo(128);
        assertThat(o.calls()).isEqualTo(20_000);
        assertThat(o.duration().toMillis()).isEqualTo(500);
        assertThat(o.fanoutRuns()).isEqualTo(10);
    }

    @Test
    void settings_fanoutRuns_givenOrTheDefaultOfQuick() {
        assertThat(parse("fanout", "--fanout-runs", "300").settings().fanoutRuns()).isEqualTo(300);
        assertThat(parse("fanout", "--quick").settings().fanoutRuns()).isEqualTo(3);
        assertThat(parse("fanout", "--quick", "--fanout-runs=25").settings().describe()).contains("fanout-runs=25");
        assertThatThrownBy(() -> parse("fanout", "--fanout-runs", "0").settings())
                .hasMessage("--fanout-runs must be between 1 and 100000, got 0");
    }

    @Test
    void settings_quick_changesTheDefaultsButNotWhatIsGiven() {
        Options o = parse("latency", "--quick", "--calls", "700").settings();

        assertThat(o.quick()).isTrue();
        assertThat(o.calls()).isEqualTo(700);
        assertThat(o.warmupCalls()).isEqualTo(200);
        assertThat(o.bytes()).isEqualTo(4L << 20);
        assertThat(o.warmupMax()).isZero();
    }

    @Test
    void settings_all_expandsToEveryScenarioOnce() {
        assertThat(parse("latency", "all").settings().scenarios())
                .containsExactly("latency", "bulk", "throughput", "oneway", "compression", "tls", "observed", "vthreads",
                        "pipeline", "stream", "scale", "fanout");
    }

    @Test
    void parse_badSyntax_throwsParameterExceptionNamingTheValue() {
        assertThatThrownBy(() -> parse("bulk", "--chunk", "64q"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("not a size: '64q'")
                .hasMessageContaining("--chunk");
        assertThatThrownBy(() -> parse("bulk", "--window", "five"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--window")
                .hasMessageContaining("five");
        assertThatThrownBy(() -> parse("bulk", "--bogus", "1"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--bogus");
    }

    @Test
    void settings_outOfBoundsOrUnknown_throwsParameterExceptionInOneLine() {
        assertThatThrownBy(() -> parse("bulk", "--chunk", "1g").settings())
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--chunk must be between 1 and 8388608, got 1073741824");
        assertThatThrownBy(() -> parse("bulk", "--window", "0").settings())
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--window");
        assertThatThrownBy(() -> parse("bulk", "--seconds", "601").settings())
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--seconds");
        assertThatThrownBy(() -> parse("twoway").settings())
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("unknown scenario 'twoway': expected all, bulk, latency, throughput, oneway, compression, tls, observed, vthreads, pipeline, stream, scale or fanout");
        assertThatThrownBy(() -> parse("--quick").settings())
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageStartingWith("name at least one scenario");
    }

    @Test
    void parseSize_binarySuffixes() {
        assertThat(BenchOptions.parseSize("123")).isEqualTo(123);
        assertThat(BenchOptions.parseSize("64k")).isEqualTo(64 << 10);
        assertThat(BenchOptions.parseSize("64KiB")).isEqualTo(64 << 10);
        assertThat(BenchOptions.parseSize("1GB")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> BenchOptions.parseSize("-1k")).isInstanceOf(IllegalArgumentException.class);
    }
}
