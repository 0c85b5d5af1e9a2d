package dev.hermod.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import dev.hermod.Client;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hermod call TARGET SERVICE OPERATION [ARGS...]}: invokes one operation by name with
 * JSON arguments and prints the result as JSON; with {@code --async N}, fires N identical calls
 * at once and reports how long they took.
 */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Invoke an operation with JSON arguments and print the result as JSON.")
final class CallCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", converter = Endpoint.Converter.class,
            description = "the server, tcp://host:port or host:port")
    private Endpoint target;

    @Parameters(index = "1", paramLabel = "SERVICE", description = "the service name")
    private String service;

    @Parameters(index = "2", paramLabel = "OPERATION", description = "the operation name")
    private String operation;

    @Parameters(index = "3..*", paramLabel = "ARGS",
            description = "the arguments, each a JSON value: 99, '\"Ada\"', '{\"x\":1}', '[1,2]'")
    private List<String> args = new ArrayList<>();

    @Option(names = "--json", description = "print compact JSON (with --async: a JSON report)")
    private boolean json;

    @Option(names = "--async", paramLabel = "N",
            description = "fire N identical calls at once, wait for all and report the timing")
    private Integer async;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "deadline of each call in seconds (default: ${DEFAULT-VALUE})")
    private double timeout;

    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        Duration limit = seconds(spec, timeout);
        if (async != null && async < 1) {
            throw new ParameterException(spec.commandLine(), "--async must be at least 1: " + async);
        }
        Object[] values = new Object[args.size()];
        for (int i = 0; i < values.length; i++) {
            try {
                values[i] = Json.parse(args.get(i));
            } catch (JsonProcessingException e) {
                throw new ParameterException(spec.commandLine(), "argument " + (i + 1) + " is not JSON: "
                        + args.get(i) + " (" + e.getOriginalMessage() + "; quote strings: '\"text\"')");
            }
        }
        CallOptions options = CallOptions.defaults().withTimeout(limit);
        PrintWriter out = spec.commandLine().getOut();
        try (Client client = target.client(limit)) {
            if (async == null) {
                Object result = client.invoke(options, service, operation, values).value();
                out.println(Json.write(result, !json));
                out.flush();
                return 0;
            }
            return fanOut(client, options, values, limit, out);
        } catch (ParameterException | Failures.CommandFailure e) {
            throw e;
        } catch (Exception e) {
            throw target.explain(e);
        }
    }

    private int fanOut(Client client, CallOptions options, Object[] values, Duration limit, PrintWriter out)
            throws Exception {
        List<AsyncResult<Object>> results = new ArrayList<>(async);
        long start = System.nanoTime();
        for (int i = 0; i < async; i++) {
            results.add(client.invoke(options, service, operation, values));
        }
        // Each call has its own deadline; the extra second only covers the report reaching us.
        long waitUntil = System.nanoTime() + limit.toNanos() + 1_000_000_000L;
        int failures = 0;
        Throwable firstFailure = null;
        for (AsyncResult<Object> r : results) {
            long left = Math.max(0, waitUntil - System.nanoTime());
            if (!r.waitForCompleted(Duration.ofNanos(left))) {
                r.cancel();
            }
            if (r.isFailed() || r.isCancelled()) {
                failures++;
                if (firstFailure == null) {
                    firstFailure = r.error().orElse(null);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = async / seconds;
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("service", service);
            report.put("operation", operation);
            report.put("calls", async);
            report.put("failures", failures);
            report.put("seconds", seconds);
            report.put("callsPerSecond", rate);
            out.println(Json.write(report, false));
        } else {
            out.printf(java.util.Locale.ROOT, "%d calls, %d failed, %.3f s, %.0f calls/s%n",
                    async, failures, seconds, rate);
        }
        out.flush();
        if (failures > 0) {
            Exception cause = firstFailure instanceof Exception e ? target.explain(e) : null;
            String why = cause == null ? "" : "; first: " + Failures.describe(cause).line();
            throw new Failures.CommandFailure(failures + " of " + async + " calls failed" + why,
                    CommandLine.ExitCode.SOFTWARE, cause);
        }
        return 0;
    }

    /** Converts a {@code --timeout} value; zero, negative or absurd values are usage errors. */
    static Duration seconds(CommandSpec spec, double seconds) {
        if (!(seconds > 0) || seconds > 86_400) {
            throw new ParameterException(spec.commandLine(), "--timeout must be between 0 and 86400 seconds: " + seconds);
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
