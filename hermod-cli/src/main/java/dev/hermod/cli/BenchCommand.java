package dev.hermod.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;

import dev.hermod.bench.BenchMain;
import dev.hermod.bench.BenchOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hermod bench [SCENARIO...] [options]}: runs the benchmarks of {@code hermod-bench}. The
 * scenarios and options are {@code hermod-bench}'s own {@link BenchOptions}, mixed in, so picocli
 * parses them here exactly as {@code java -jar hermod-bench.jar} does ({@code hermod bench --help}
 * lists them).
 *
 * <p>With {@code --json}, standard output carries one JSON object with the results, and the lines
 * for people go to standard error.
 */
@Command(name = "bench", customSynopsis = "hermod bench" + BenchOptions.SYNOPSIS, synopsisHeading = "usage: ",
        header = "Run the benchmarks of hermod-bench against plain sockets.",
        description = BenchOptions.DESCRIPTION, sortOptions = false)
final class BenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private BenchOptions options;

    @Option(names = "--json", order = 99,
            description = "print one JSON object with the results; the other lines go to standard error")
    private boolean json;

    @Mixin
    private VerboseOption verbose;

    @Option(names = {"-h", "--help"}, order = 101, usageHelp = true, description = "this text")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter text = json ? spec.commandLine().getErr() : out;
        List<Map<String, Object>> scenarios = new ArrayList<>();
        List<Map<String, Object>> results = new ArrayList<>();
        BenchMain.Listener listener = new BenchMain.Listener() {
            @Override
            public void line(String line) {
                text.println(line);
                text.flush();
            }

            @Override
            public void result(BenchMain.Result result) {
                if (json) {
                    results.add(entry(result));
                } else {
                    text.println(result.line());
                    text.flush();
                }
            }

            @Override
            public void finished(String scenario, Duration elapsed, OptionalDouble stealPercent) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", scenario);
                m.put("seconds", Math.round(elapsed.toMillis() / 10.0) / 100.0);
                m.put("stealPercent",
                        stealPercent.isPresent() ? Math.round(stealPercent.getAsDouble() * 10) / 10.0 : null);
                scenarios.add(m);
            }
        };
        try {
            BenchMain.run(options, listener);
        } catch (BenchMain.ScenarioFailedException e) {
            throw new Failures.CommandFailure(e.getMessage(), CommandLine.ExitCode.SOFTWARE, e.getCause());
        }
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("arguments", arguments());
            report.put("java", Runtime.version().toString());
            report.put("processors", Runtime.getRuntime().availableProcessors());
            report.put("scenarios", scenarios);
            report.put("results", results);
            out.println(Json.write(report, true));
            out.flush();
        }
        return 0;
    }

    /** The command line after {@code bench}, as given. */
    private List<String> arguments() {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        return all.subList(all.indexOf(spec.name()) + 1, all.size());
    }

    /** A result as JSON: its value rounded as the {@code RESULT} line shows it. */
    private static Map<String, Object> entry(BenchMain.Result result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", result.scenario());
        m.put("name", result.name());
        m.put("value", Double.isFinite(result.value()) ? new java.math.BigDecimal(result.formattedValue()) : null);
        m.put("unit", result.unit());
        return m;
    }
}
