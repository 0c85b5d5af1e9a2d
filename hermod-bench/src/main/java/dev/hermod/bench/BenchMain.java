package dev.hermod.bench;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Runs Hermod's benchmarks by name: {@code all}, {@code bulk}, {@code latency}, {@code throughput},
 * {@code oneway}, {@code compression}, {@code tls}, {@code observed}, {@code vthreads}, {@code pipeline},
 * {@code stream}, {@code scale}, {@code fanout}.
 * Each measures Hermod and a plain-socket baseline in the same run, on 127.0.0.1, and prints one
 * {@code RESULT <name> <value> <unit>} line per measurement besides lines for people (see
 * {@code hermod-bench/README.md}). Every run is bounded in size and time and ends by itself.
 *
 * <p>Exit status: 0 when every scenario ran and every transfer and reply checked out, 1 when a
 * scenario failed (one line says why; {@code --verbose} adds the stack trace), 2 for a bad
 * command line (one line says what is wrong).
 *
 * <p>{@link #run(BenchOptions, Listener)} runs the same benchmarks for a program, such as the
 * {@code hermod bench} command, that mixes {@link BenchOptions} into its own picocli command and
 * presents the results itself.
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
        m.put("compression", CompressionBenchmark::run);
        m.put("tls", TlsBenchmark::run);
        m.put("observed", ObservedBenchmark::run);
        m.put("vthreads", VirtualThreadsBenchmark::run);
        m.put("pipeline", PipelineBenchmark::run);
        m.put("stream", StreamBenchmark::run);
        m.put("scale", ScaleBenchmark::run);
        m.put("fanout", FanoutBenchmark::run);
        SCENARIOS = java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Receives what a run says and measures, as it happens, on the thread that called
     * {@link #run(BenchOptions, Listener)}.
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
         * second and counts of runs, one otherwise.
         */
        public String formattedValue() {
            int decimals = unit.equals("ratio") ? 3 : unit.equals("calls/s") || unit.equals("runs") ? 0
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

    /**
     * Runs the command line and exits the JVM with its status.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line {@code args}, printing lines for people and {@code RESULT} lines to
     * {@code out} and failures to {@code err}; returns the exit status.
     *
     * @param args the command-line arguments
     * @param out where the lines for people, the results and {@code --help} go
     * @param err where a failure goes, in one line
     * @return 0, 1 when a scenario failed, 2 for a bad command line
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, SCENARIOS);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, Scenario> scenarios) {
        Standalone command = new Standalone(scenarios, out);
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, ignored) -> {
            err.println("hermod-bench: " + e.getMessage() + " (" + COMMAND + " --help lists the options)");
            return CommandLine.ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (!(e instanceof ScenarioFailedException failed)) {
                throw e;
            }
            err.println("hermod-bench: " + failed.getMessage());
            if (command.verbose) {
                failed.getCause().printStackTrace(err);
            }
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl.execute(args);
    }

    /** {@code java -jar hermod-bench.jar}: the benchmark options, {@code --verbose} and {@code --help}. */
    @Command(name = COMMAND, customSynopsis = COMMAND + BenchOptions.SYNOPSIS, synopsisHeading = "usage: ",
            description = BenchOptions.DESCRIPTION, sortOptions = false)
    static final class Standalone implements Callable<Integer> {
        private final Map<String, Scenario> scenarios;
        private final PrintStream out;

        @Mixin
        BenchOptions options;

        @Option(names = {"-v", "--verbose"}, order = 100, description = "when a scenario fails, print the stack trace")
        boolean verbose;

        @Option(names = {"-h", "--help"}, order = 101, usageHelp = true, description = "this text")
        boolean help;

        Standalone(Map<String, Scenario> scenarios, PrintStream out) {
            this.scenarios = scenarios;
            this.out = out;
        }

        @Override
        public Integer call() throws ScenarioFailedException {
            BenchMain.run(options.settings(), new Listener() {
                @Override
                public void line(String text) {
                    out.println(text);
                }

                @Override
                public void result(Result result) {
                    out.println(result.line());
                }
            }, scenarios);
            return 0;
        }
    }

    /**
     * Runs the scenarios and options of a parsed command line, reporting to {@code listener} as
     * it goes. Bounded in size and time, like every run.
     *
     * @param options the command line's scenarios and options, as picocli filled them
     * @param listener receives the lines, the results and the end of each scenario
     * @throws ParameterException if a scenario is unknown or missing or an option out of bounds;
     *     the message says which, in one line
     * @throws ScenarioFailedException if a scenario failed; the scenarios after it did not run
     */
    public static void run(BenchOptions options, Listener listener) throws ScenarioFailedException {
        run(options.settings(), listener, SCENARIOS);
    }

    static void run(Options options, Listener listener, Map<String, Scenario> scenarios)
            throws ScenarioFailedException {
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
}
