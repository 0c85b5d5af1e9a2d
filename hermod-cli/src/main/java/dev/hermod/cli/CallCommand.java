package dev.hermod.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;

import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.tools.ServiceDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hermod call TARGET SERVICE OPERATION [ARGS...]}: invokes one operation by name with JSON
 * arguments and prints the result as JSON. The arguments come from the command line (one JSON
 * value each; {@code -} reads one from standard input) or from {@code -d} (a JSON array of them,
 * or JSON values one after another; {@code @FILE} reads them from a file and {@code @-} from
 * standard input). They are checked against the operation's description before the call, so a
 * wrong count or type is a usage error (exit 2) naming the parameter.
 *
 * <p>An operation that streams its result prints each item as it arrives, one JSON value per line;
 * Ctrl-C cancels the stream on the server ({@link StreamPrinter}).
 *
 * <p>{@code --template} prints a JSON array of example arguments instead of calling, and
 * {@code --async N} fires N identical calls at once, after a warm-up, and reports latency and
 * throughput ({@link LoadRun}).
 */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Invoke an operation with JSON arguments and print the result as JSON.")
final class CallCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", converter = Endpoint.Converter.class,
            description = "the server: host:port, tcp://host:port, or several (tcp://a:4061,b:4061, a resolver's scheme:...)")
    private Endpoint target;

    @Parameters(index = "1", paramLabel = "SERVICE", description = "the service name")
    private String service;

    @Parameters(index = "2", paramLabel = "OPERATION", description = "the operation name")
    private String operation;

    @Parameters(index = "3..*", paramLabel = "ARGS",
            description = "the arguments, each a JSON value: 99, '\"Ada\"', '{\"x\":1}', '[1,2]'; "
                    + "- reads one from standard input")
    private List<String> args = new ArrayList<>();

    @Option(names = {"-d", "--data"}, paramLabel = "JSON|@FILE|@-",
            description = "the arguments instead of ARGS: a JSON array of them, or JSON values one after another; "
                    + "@FILE reads them from a file, @- from standard input")
    private String data;

    @Option(names = {"-H", "--context"}, paramLabel = "KEY=VALUE",
            description = "a request context entry the servant reads from Current.context(); repeatable")
    private Map<String, String> context = new LinkedHashMap<>();

    @Option(names = "--template", description = "print a JSON array of example arguments for -d, and do not call")
    private boolean template;

    @Option(names = "--json", description = "print compact JSON (with --async: a JSON report)")
    private boolean json;

    @Option(names = "--async", paramLabel = "N",
            description = "fire N identical calls at once, after as many to warm up, and report latency and throughput")
    private Integer async;

    @Option(names = "--warmup", paramLabel = "N",
            description = "with --async: the calls fired first and not counted (default: as many as --async)")
    private Integer warmup;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "deadline of each call in seconds, sent to the server (default: ${DEFAULT-VALUE})")
    private double timeout;

    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        Duration limit = seconds(spec, timeout);
        if (async != null && async < 1) {
            throw usage("--async must be at least 1: " + async);
        }
        if (warmup != null && (async == null || warmup < 0)) {
            throw usage(async == null ? "--warmup goes with --async" : "--warmup must not be negative: " + warmup);
        }
        List<Object> values = template ? List.of() : arguments();
        CallOptions options = CallOptions.defaults().withTimeout(limit);
        for (Map.Entry<String, String> e : context.entrySet()) {
            options = options.withContext(e.getKey(), e.getValue());
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Client client = target.client(limit)) {
            Catalog catalog = Catalog.fetch(target, client);
            ServiceDescription described = catalog.service(service);
            ServiceDescription.Operation op = Catalog.operation(described, operation);
            Schema schema = new Schema(described);
            if (template) {
                out.println(Json.write(schema.template(op), !json));
                out.flush();
                return 0;
            }
            if (op.parameters().stream().anyMatch(p -> Schema.streams(p.type()))) {
                throw usage(operation + " takes a stream, which the command line cannot send");
            }
            Object[] ready;
            try {
                ready = schema.check(op, values);
            } catch (Schema.Mismatch e) {
                throw usage(e.getMessage());
            }
            if (async != null) {
                return new LoadRun(client, options, service, operation, ready, limit)
                        .run(warmup == null ? async : warmup, async, json, out, spec.commandLine().getErr(), target);
            }
            if (Schema.streams(op.result())) {
                if (async != null) {
                    throw usage("--async does not go with " + operation + ", which streams its result");
                }
                new StreamPrinter(out, !json).run(client.invokeStream(options, service, operation, ready));
                return 0;
            }
            Object result = client.invoke(options, service, operation, ready).value();
            out.println(Json.write(result, !json));
            out.flush();
            return 0;
        } catch (ParameterException | Failures.CommandFailure e) {
            throw e;
        } catch (Exception e) {
            throw target.explain(e);
        }
    }

    /** The arguments as plain JSON values, from ARGS or -d; malformed JSON is a usage error. */
    private List<Object> arguments() {
        if (data != null) {
            if (!args.isEmpty()) {
                throw usage("give the arguments either as ARGS or with -d, not both");
            }
            String source = data.equals("@-") ? "standard input" : data.startsWith("@") ? data.substring(1) : "-d";
            String text = data.equals("@-") ? readStandardInput() : data.startsWith("@") ? readFile(data.substring(1))
                    : data;
            try {
                List<Object> values = Json.parseAll(text);
                return values.size() == 1 && values.get(0) instanceof List<?> list ? new ArrayList<>(list) : values;
            } catch (JsonProcessingException e) {
                throw usage("the arguments in " + source + " are not JSON (" + e.getOriginalMessage()
                        + "; quote strings: \"text\")");
            }
        }
        List<Object> values = new ArrayList<>();
        boolean stdinUsed = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String text = arg;
            if (arg.equals("-")) {
                if (stdinUsed) {
                    throw usage("only one argument can be read from standard input ('-')");
                }
                stdinUsed = true;
                text = readStandardInput();
            }
            try {
                values.add(Json.parse(text.strip()));
            } catch (JsonProcessingException e) {
                String hint = arg.startsWith("@") ? "; to read the arguments from a file use -d " + arg
                        : "; quote strings: '\"text\"'";
                throw usage("argument " + (i + 1) + " is not JSON: " + (arg.equals("-") ? "(standard input) " + text.strip()
                        : arg) + " (" + e.getOriginalMessage() + hint + ")");
            }
        }
        return values;
    }

    private String readStandardInput() {
        InputStream in = HermodCommand.standardInput(spec);
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage("cannot read standard input: " + e.getMessage());
        }
    }

    private String readFile(String name) {
        try {
            return Files.readString(Path.of(name), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw usage("no such file: " + name);
        } catch (IOException | RuntimeException e) {
            throw usage("cannot read " + name + ": " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Converts a {@code --timeout} value; zero, negative or absurd values are usage errors. */
    static Duration seconds(CommandSpec spec, double seconds) {
        if (!(seconds > 0) || seconds > 86_400) {
            throw new ParameterException(spec.commandLine(), "--timeout must be between 0 and 86400 seconds: " + seconds);
        }
        return Duration.ofNanos((long) (seconds * 1e9));
    }
}
