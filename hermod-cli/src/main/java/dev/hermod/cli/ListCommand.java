package dev.hermod.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.hermod.Client;
import dev.hermod.tools.ServiceDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hermod list TARGET}: the services a server offers, one a line, with their contracts. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the services a server offers, with their contracts.")
final class ListCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", converter = Endpoint.Converter.class,
            description = "the server: host:port, tcp://host:port, or several (tcp://a:4061,b:4061, a resolver's scheme:...)")
    private Endpoint target;

    @Option(names = "--json", description = "print a JSON array of {name, contract}")
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
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (ServiceDescription s : catalog.services()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", s.name());
                m.put("contract", s.contract());
                list.add(m);
            }
            out.println(Json.write(list, true));
        } else if (catalog.services().isEmpty()) {
            out.println("(no services)");
        } else {
            int width = catalog.services().stream().mapToInt(s -> s.name().length()).max().orElse(0);
            for (ServiceDescription s : catalog.services()) {
                out.println(s.name() + " ".repeat(width - s.name().length() + 2) + s.contract());
            }
        }
        out.flush();
        return 0;
    }
}
