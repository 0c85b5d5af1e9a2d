package dev.hermod.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The scenarios and options of a benchmark run, as a picocli mixin: {@code java -jar
 * hermod-bench.jar} and the {@code hermod bench} command both mix it in, so the two accept the
 * same command line and print the same help, and neither passes arguments on by hand.
 *
 * <p>Picocli fills the fields while it parses; {@link #settings()} then applies the defaults
 * ({@code --quick} changes several) and checks every value against its bounds. Sizes take binary
 * suffixes ({@code 64k}, {@code 128m}, {@code 1g}, also {@code 64KiB}), times are seconds.
 *
 * <p>Not thread-safe: one instance belongs to one command line, filled by one parse.
 *
 * @since 0.1
 */
public final class BenchOptions {

    /** The synopsis of both commands after the command's name. */
    public static final String SYNOPSIS = " SCENARIO... [OPTIONS]";

    /** The lines of help that come before the options: the scenarios and how sizes are written. */
    public static final String DESCRIPTION = "%nscenarios: all | bulk | latency | throughput | oneway | compression | tls | observed | vthreads | pipeline | stream | scale | fanout%n%n"
            + "options (sizes take k, m or g binary suffixes: 64k, 1g):";

    /** Scenario names accepted on the command line besides {@code all}, in the order {@code all} runs them. */
    static final List<String> SCENARIOS = List.copyOf(BenchMain.SCENARIOS.keySet());

    private static final String SCENARIO_LIST = "all, " + String.join(", ", SCENARIOS.subList(0, SCENARIOS.size() - 1))
            + " or " + SCENARIOS.get(SCENARIOS.size() - 1);

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Parameters(arity = "0..*", paramLabel = "SCENARIO", hidden = true)
    private List<String> scenarios = new ArrayList<>();

    @Option(names = "--quick", order = 1, description = "tiny sizes and short times, to check that everything works")
    private boolean quick;

    @Option(names = "--bytes", order = 2, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "bulk: bytes per measured run (default 1g; quick 4m)")
    private Long bytes;

    @Option(names = "--warmup-bytes", order = 3, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "bulk: bytes per warm-up round (default 128m; quick 1m; 0: none)")
    private Long warmupBytes;

    @Option(names = "--chunk", order = 4, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "bulk: bytes per send call (default 64k)")
    private Long chunk;

    @Option(names = "--window", order = 5, paramLabel = "N", description = "bulk: most chunks outstanding (default 5)")
    private Long window;

    @Option(names = "--runs", order = 6, paramLabel = "N", description = "bulk: measured runs per side, median reported (default 3); "
            + "latency: alternating measuring segments per side")
    private Long runs;

    @Option(names = "--calls", order = 7, paramLabel = "N",
            description = "latency: measured calls per side (default 20000; quick 500); compression: a"
                    + " twentieth of it")
    private Long calls;

    @Option(names = "--warmup-calls", order = 8, paramLabel = "N",
            description = "latency: calls per warm-up round (default 10000; quick 200; 0: none)")
    private Long warmupCalls;

    @Option(names = "--payload", order = 9, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "latency, throughput, oneway: request and reply bytes (default 32)")
    private Long payload;

    @Option(names = "--async-window", order = 10, paramLabel = "N",
            description = "throughput: most calls outstanding (default 128)")
    private Long asyncWindow;

    @Option(names = "--seconds", order = 11, paramLabel = "S",
            description = "throughput, oneway: measuring time per side (default 5; quick 0.3)")
    private Double seconds;

    @Option(names = "--warmup-seconds", order = 12, paramLabel = "S",
            description = "throughput, oneway: time per warm-up round (default 1; quick 0.1; 0: none)")
    private Double warmupSeconds;

    @Option(names = "--warmup-max", order = 13, paramLabel = "S", description = "all: longest warm-up per side (default 30; quick 0). Warm-up rounds repeat until three "
            + "in a row pass with under 5%% of their time spent in the JIT compilers, or this time is up; 0: one round")
    private Double warmupMax;

    @Option(names = "--fanout-runs", order = 14, paramLabel = "N",
            description = "fanout: measured inventories (default 10; quick 3); more give a steadier count within 1.2 x")
    private Long fanoutRuns;

    /** Creates empty options, for picocli to fill. */
    public BenchOptions() {}

    /**
     * The settings of the run: defaults applied, {@code all} expanded, every value in bounds.
     *
     * @throws ParameterException if a scenario is unknown or missing or a value is out of bounds;
     *     the message says which, in one line
     */
    Options settings() {
        List<String> chosen = new ArrayList<>();
        for (String s : scenarios) {
            if (s.equals("all")) {
                for (String each : SCENARIOS) {
                    if (!chosen.contains(each)) {
                        chosen.add(each);
                    }
                }
            } else if (SCENARIOS.contains(s)) {
                if (!chosen.contains(s)) {
                    chosen.add(s);
                }
            } else {
                throw usage("unknown scenario '" + s + "': expected " + SCENARIO_LIST);
            }
        }
        if (chosen.isEmpty()) {
            throw usage("name at least one scenario: " + SCENARIO_LIST);
        }
        return new Options(List.copyOf(chosen), quick,
                bounded("--bytes", bytes, quick ? 4L << 20 : 1L << 30, 1, Options.MAX_BYTES),
                bounded("--warmup-bytes", warmupBytes, quick ? 1L << 20 : 128L << 20, 0, Options.MAX_BYTES),
                (int) bounded("--chunk", chunk, 64 << 10, 1, Options.MAX_CHUNK),
                (int) bounded("--window", window, 5, 1, 1024),
                (int) bounded("--runs", runs, 3, 1, 100),
                (int) bounded("--calls", calls, quick ? 500 : 20_000, 1, Options.MAX_CALLS),
                (int) bounded("--warmup-calls", warmupCalls, quick ? 200 : 10_000, 0, Options.MAX_CALLS),
                (int) bounded("--payload", payload, 32, 8, Options.MAX_PAYLOAD),
                (int) bounded("--async-window", asyncWindow, 128, 1, 65_536),
                seconds("--seconds", seconds, quick ? 0.3 : 5, 0.01),
                seconds("--warmup-seconds", warmupSeconds, quick ? 0.1 : 1, 0),
                seconds("--warmup-max", warmupMax, quick ? 0 : 30, 0),
                (int) bounded("--fanout-runs", fanoutRuns, quick ? 3 : FanoutBenchmark.RUNS, 1, 100_000));
    }

    private long bounded(String name, Long value, long dflt, long min, long max) {
        long n = value == null ? dflt : value;
        if (n < min || n > max) {
            throw usage(name + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    private Duration seconds(String name, Double value, double dflt, double min) {
        double s = value == null ? dflt : value;
        if (!(s >= min && s <= Options.MAX_SECONDS)) {
            throw usage(name + " must be between " + min + " and " + Options.MAX_SECONDS + " seconds, got " + s);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }

    /**
     * Parses {@code 123}, {@code 64k}, {@code 128m}, {@code 1g} (also {@code 64KiB}, {@code 1GB}):
     * binary units.
     *
     * @throws IllegalArgumentException if the text is not a size
     */
    static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "'");
        }
        if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size out of range: '" + text + "'");
        }
        return n << shift;
    }

    /** Picocli's converter for SIZE values. */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
