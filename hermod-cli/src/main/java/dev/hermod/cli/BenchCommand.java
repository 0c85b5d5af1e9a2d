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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hermod bench [SCENARIO...] [options]}: runs the benchmarks of {@code hermod-bench} with
 * the scenarios and options as given ({@code hermod bench --help} lists them).
 *
 * <p>With {@code --json}, standard output carries one JSON object with the results, and the lines
 * for people go to standard error.
 */
@Command(name = "bench", description = "Run the benchmarks of hermod-bench (hermod bench --help lists scenarios and options).")
final class BenchCommand implements Callable<Integer> {
    private static final String JSON_HELP =
            "  --json                print one JSON object with the results; the other lines go to standard error";

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "scenarios and options, passed to hermod-bench")
    private List<String> args = new ArrayList<>();

    @Option(names = "--json", description = "print one JSON object with the results; the narrative goes to standard error")
    private boolean json;

    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (args.contains("--help") || args.contains("-h")) {
            out.println(BenchMain.usage("hermod bench", List.of(JSON_HELP)));
            out.flush();
            return 0;
        }
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
            BenchMain.run(args, listener);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (BenchMain.ScenarioFailedException e) {
            throw new Failures.CommandFailure(e.getMessage(), CommandLine.ExitCode.SOFTWARE, e.getCause());
        }
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("arguments", args);
            report.put("java", Runtime.version().toString());
            report.put("processors", Runtime.getRuntime().availableProcessors());
            report.put("scenarios", scenarios);
            report.put("results", results);
            out.println(Json.write(report, true));
            out.flush();
        }
        return 0;
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
