package dev.hermod.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.hermod.Client;
import dev.hermod.ServiceDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hermod describe TARGET}: lists a server's services and their operations. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "List the services a server offers, with their operations and types.")
final class DescribeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", converter = Endpoint.Converter.class,
            description = "the server, tcp://host:port or host:port")
    private Endpoint target;

    @Option(names = "--json", description = "print JSON instead of a table")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "give up after this many seconds (default: ${DEFAULT-VALUE})")
    private double timeout;

    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        Duration limit = CallCommand.seconds(spec, timeout);
        List<ServiceDescription> services;
        try (Client client = target.client(limit)) {
            services = client.describe().value();
        } catch (Exception e) {
            throw target.explain(e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(services, true));
        } else {
            print(services, out);
        }
        out.flush();
        return 0;
    }

    /** Prints the services as a person reads them: one block per service, operations aligned. */
    static void print(List<ServiceDescription> services, PrintWriter out) {
        if (services.isEmpty()) {
            out.println("(no services)");
            return;
        }
        boolean first = true;
        for (ServiceDescription service : services) {
            if (!first) {
                out.println();
            }
            first = false;
            out.println("service " + service.name() + "  (" + service.contract() + ")");
            String pkg = service.contract().contains(".")
                    ? service.contract().substring(0, service.contract().lastIndexOf('.') + 1) : "";
            java.util.function.UnaryOperator<String> shorten = type -> shorten(type, pkg);
            List<String[]> rows = new ArrayList<>();
            for (ServiceDescription.Operation op : service.operations()) {
                String params = op.parameters().stream()
                        .map(p -> shorten.apply(p.type()) + " " + p.name())
                        .collect(Collectors.joining(", "));
                StringBuilder notes = new StringBuilder();
                if (!op.exceptions().isEmpty()) {
                    notes.append("throws ").append(op.exceptions().stream().map(shorten)
                            .collect(Collectors.joining(", ")));
                }
                if (op.async()) {
                    notes.append(notes.length() > 0 ? "  " : "").append("[async]");
                }
                if (op.onewayCapable()) {
                    notes.append(notes.length() > 0 ? "  " : "").append("[oneway]");
                }
                rows.add(new String[] {shorten.apply(op.result()), op.name() + "(" + params + ")", notes.toString()});
            }
            int resultWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
            int signatureWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
            for (String[] row : rows) {
                String line = "  " + pad(row[0], resultWidth) + "  "
                        + (row[2].isEmpty() ? row[1] : pad(row[1], signatureWidth) + "  " + row[2]);
                out.println(line.stripTrailing());
            }
            if (rows.isEmpty()) {
                out.println("  (no operations)");
            }
        }
    }

    /**
     * Drops the packages a reader supplies anyway ({@code java.lang}, {@code java.util} and the
     * contract's own) and writes nested types with a dot.
     */
    static String shorten(String type, String contractPackage) {
        String s = type.replaceAll("\\bjava\\.(lang|util)\\.(?=[A-Z])", "");
        if (!contractPackage.isEmpty()) {
            s = s.replaceAll("\\b" + java.util.regex.Pattern.quote(contractPackage) + "(?=[A-Z])", "");
        }
        return s.replace('$', '.');
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
