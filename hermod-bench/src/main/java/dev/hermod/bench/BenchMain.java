package dev.hermod.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Runs Hermod's benchmarks by name: {@code all}, {@code bulk}, {@code latency}, {@code throughput},
 * {@code oneway}.
 * Each measures Hermod and a plain-socket baseline in the same run, on 127.0.0.1, and prints one
 * {@code RESULT <name> <value> <unit>} line per measurement besides lines for people (see
 * {@code hermod-bench/README.md}). Every run is bounded in size and time and ends by itself.
 *
 * <p>Exit status: 0 when every scenario ran and every transfer and reply checked out, 1 when a
 * scenario failed (one line says why; {@code --verbose} adds the stack trace), 2 for a bad
 * command line (one line says what is wrong).
 *
 * <p>{@link #run(List, Listener)} runs the same benchmarks for a program, such as the
 * {@code hermod bench} command, that presents the results itself.
 */
public final class BenchMain {
    private BenchMain() {}

    /** How {@code java -jar} runs this class, for its help and error lines. */
    private static final String COMMAND = "java -jar hermod-bench.jar";

    /** One benchmark scenario. */
    interface Scenario {
        void run(Options options, Report report) throws Exception;
    }

    /** The scenarios, in the order {@code all} runs them. */
    static final Map<String, Scenario> SCENARIOS;

    static {
        Map<String, Scenario> m = new LinkedHashMap<>();
        m.put("bulk", BulkBenchmark::run);
        m.put("latency", LatencyBenchmark::run);
        m.put("throughput", ThroughputBenchmark::run);
        m.put("oneway", OnewayBenchmark::run);
        SCENARIOS = java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Receives what a run says and measures, as it happens, on the thread that called
     * {@link #run(List, Listener)}.
     */
    public interface Listener {
        /** A line for people (the settings, a warm-up, a measured run); never starts with {@code RESULT}. */
        void line(String text);

        /** One measurement. */
        void result(Result result);

        /**
         * A scenario ran to its end and every transfer and reply checked out.
         *
         * @param stealPercent the share of CPU time the hypervisor took meanwhile, where the
         *     platform tells (Linux {@code /proc/stat})
         */
        default void finished(String scenario, Duration elapsed, OptionalDouble stealPercent) {}
    }

    /**
     * One measurement, e.g. {@code oneway.hermod.calls} = 452331 {@code calls/s}.
     *
     * @param scenario the scenario that measured it
     * @param name the result's name, one word, listed in {@code hermod-bench/README.md}
     * @param value the value, unrounded
     * @param unit the unit, one word
     */
    public record Result(String scenario, String name, double value, String unit) {
        /** @throws IllegalArgumentException if the name or the unit is not a single word */
        public Result {
            if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)
                    || unit.isEmpty() || unit.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("result name and unit must be single words: " + name + " " + unit);
            }
        }

        /**
         * The value as the {@code RESULT} line prints it: a dot as decimal separator, no grouping,
         * three decimals for ratios, two for CPU costs and context switches, none for calls per
         * second, one otherwise.
         */
        public String formattedValue() {
            int decimals = unit.equals("ratio") ? 3 : unit.equals("calls/s") ? 0
                    : unit.startsWith("cpu-") || unit.startsWith("switches/") ? 2 : 1;
            return String.format(Locale.ROOT, "%." + decimals + "f", value);
        }

        /** {@code RESULT <name> <value> <unit>}, the line {@code grep '^RESULT'} extracts. */
        public String line() {
            return "RESULT " + name + " " + formattedValue() + " " + unit;
        }
    }

    /**
     * A scenario failed: it saw a wrong outcome (a lost byte, a mismatched reply) or could not
     * run. Its message is one line, {@code <scenario> failed: <why>}; the cause is what the
     * scenario threw.
     */
    public static final class ScenarioFailedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String scenario;

        ScenarioFailedException(String scenario, Throwable cause) {
            super(scenario + " failed: " + why(cause), cause);
            this.scenario = scenario;
        }

        /** The name of the scenario that failed. */
        public String scenario() {
            return scenario;
        }

        private static String why(Throwable t) {
            String message = t.getMessage() == null ? "" : t.getMessage().strip();
            int nl = message.indexOf('\n');
            if (nl >= 0) {
                message = message.substring(0, nl).strip();
            }
            if (t instanceof BenchmarkFailure && !message.isEmpty()) {
                return message;
            }
            return t.getClass().getName() + (message.isEmpty() ? "" : ": " + message);
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line {@code args}, printing lines for people and {@code RESULT} lines to
     * {@code out} and failures to {@code err}; returns the exit status.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, SCENARIOS);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, Scenario> scenarios) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(usage(COMMAND, List.of()));
            return 0;
        }
        boolean verbose = rest.removeIf(a -> a.equals("--verbose") || a.equals("-v"));
        Listener printing = new Listener() {
            @Override
            public void line(String text) {
                out.println(text);
            }

            @Override
            public void result(Result result) {
                out.println(result.line());
            }
        };
        try {
            run(rest, printing, scenarios);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("hermod-bench: " + e.getMessage() + " (" + COMMAND + " --help lists the options)");
            return 2;
        } catch (ScenarioFailedException e) {
            err.println("hermod-bench: " + e.getMessage());
            if (verbose) {
                e.getCause().printStackTrace(err);
            }
            return 1;
        }
    }

    /**
     * Runs the scenarios and options of a command line (without {@code --help} and
     * {@code --verbose}, which are for the caller to handle), reporting to {@code listener} as it
     * goes. Bounded in size and time, like every run.
     *
     * @throws IllegalArgumentException if {@code args} is not a valid command line; the message
     *     says why, in one line
     * @throws ScenarioFailedException if a scenario failed; the scenarios after it did not run
     */
    public static void run(List<String> args, Listener listener) throws ScenarioFailedException {
        run(args, listener, SCENARIOS);
    }

    static void run(List<String> args, Listener listener, Map<String, Scenario> scenarios)
            throws ScenarioFailedException {
        Options options = Options.parse(args.toArray(new String[0]));
        listener.line(String.format(Locale.ROOT, "hermod-bench: Java %s (%s), %s %s, %d processors; loopback 127.0.0.1",
                Runtime.version(), System.getProperty("java.vm.name"), System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors()));
        listener.line("hermod-bench: " + options.describe());
        for (String name : options.scenarios()) {
            long start = System.nanoTime();
            Steal before = Steal.now();
            try {
                scenarios.get(name).run(options, new Report(name, listener));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ScenarioFailedException(name, e);
            } catch (Exception e) {
                throw new ScenarioFailedException(name, e);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            Steal after = Steal.now();
            double steal = after == null ? -1 : after.percentSince(before);
            listener.line(String.format(Locale.ROOT, "%s: done in %.1f s%s", name, elapsed.toNanos() / 1e9,
                    steal < 0 ? "" : String.format(Locale.ROOT, "; the hypervisor took %.1f%% of the CPU time%s", steal,
                            steal >= 5 ? " (more than 5%: these numbers are not comparable with a quiet run)" : "")));
            listener.finished(name, elapsed, steal < 0 ? OptionalDouble.empty() : OptionalDouble.of(steal));
        }
    }

    /**
     * The help text for running the benchmarks as {@code command} (e.g. {@code hermod bench}):
     * the scenarios and options, with {@code moreOptions}, lines laid out like the others, added
     * at the end.
     */
    public static String usage(String command, List<String> moreOptions) {
        return Options.usage(command, moreOptions);
    }
}
