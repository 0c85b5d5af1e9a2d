package dev.hermod.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.hermod.Client;
import dev.hermod.tools.ServiceDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hermod describe TARGET [SERVICE[.OPERATION]]}: a server's services, or one service, or
 * one operation, with the records, beans and enums they use and their fields.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe a server's services, one service or one operation: operations, parameter and "
                + "result types, and the fields of the records, beans and enums they use.")
final class DescribeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", converter = Endpoint.Converter.class,
            description = "the server: host:port, tcp://host:port, or several (tcp://a:4061,b:4061, a resolver's scheme:...)")
    private Endpoint target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SERVICE[.OPERATION]",
            description = "only this service, or only this operation of it")
    private String what;

    @Option(names = "--json", description = "print JSON instead of text")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "give up after this many seconds (default: ${DEFAULT-VALUE})")
    private double timeout;

    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        Duration limit = CallCommand.seconds(spec, timeout);
        Catalog catalog;
        try (Client client = target.client(limit)) {
            catalog = Catalog.fetch(target, client);
        } catch (Exception e) {
            throw target.explain(e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (what == null) {
            if (json) {
                out.println(Json.write(catalog.services(), true));
            } else {
                print(catalog.services(), out);
            }
        } else {
            int dot = what.indexOf('.');
            ServiceDescription service = catalog.service(dot < 0 ? what : what.substring(0, dot));
            if (dot < 0) {
                if (json) {
                    out.println(Json.write(service, true));
                } else {
                    print(List.of(service), out);
                }
            } else {
                ServiceDescription.Operation op = Catalog.operation(service, what.substring(dot + 1));
                printOperation(service, op, out);
            }
        }
        out.flush();
        return 0;
    }

    private void printOperation(ServiceDescription service, ServiceDescription.Operation op, PrintWriter out) {
        Schema schema = new Schema(service);
        List<ServiceDescription.DataType> types = schema.typesOf(op);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", service.name());
            m.put("contract", service.contract());
            m.put("operation", op);
            m.put("types", types);
            m.put("template", schema.template(op));
            out.println(Json.write(m, true));
            return;
        }
        out.println(schema.shortName(op.result()) + " " + schema.signature(op) + notes(op, schema));
        out.println("  operation of service " + service.name() + "  (" + service.contract() + ")");
        if (!types.isEmpty()) {
            out.println();
            types.forEach(t -> out.println("  " + schema.describe(t)));
        }
        out.println();
        out.println("  arguments, for hermod call -d: " + Json.write(schema.template(op), false));
    }

    /** Prints the services as a person reads them: one block per service, operations aligned, then types. */
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
            Schema schema = new Schema(service);
            List<String[]> rows = new ArrayList<>();
            for (ServiceDescription.Operation op : service.operations()) {
                rows.add(new String[] {schema.shortName(op.result()), schema.signature(op), notes(op, schema).strip()});
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
            if (!service.types().isEmpty()) {
                out.println("  types:");
                service.types().forEach(t -> out.println("    " + schema.describe(t)));
            }
        }
    }

    private static String notes(ServiceDescription.Operation op, Schema schema) {
        StringBuilder notes = new StringBuilder();
        if (!op.exceptions().isEmpty()) {
            notes.append("  throws ").append(op.exceptions().stream().map(schema::shortName)
                    .collect(Collectors.joining(", ")));
        }
        if (op.async()) {
            notes.append("  [async]");
        }
        if (op.onewayCapable()) {
            notes.append("  [oneway]");
        }
        return notes.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
