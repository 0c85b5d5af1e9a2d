package dev.hermod.cli;

import dev.hermod.Client;
import dev.hermod.health.Health;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hermod health TARGET [SERVICE]}: asks the server's reserved health service and exits 0
 * only when what was asked is serving, so that it can serve as a container probe.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Ask a server whether it (or one of its services) is serving.",
                "Exits 0 when SERVING, 1 otherwise (NOT_SERVING, SERVICE_UNKNOWN, or unreachable)."})
final class HealthCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", converter = Endpoint.Converter.class,
            description = "the server: host:port, tcp://host:port, or several (tcp://a:4061,b:4061, a resolver's scheme:...)")
    private Endpoint target;

    @Parameters(index = "1", paramLabel = "SERVICE", arity = "0..1",
            description = "one service; without it, the server and every service it binds")
    private String service;

    @Option(names = "--json", description = "print a JSON object of service to state (\"\" is the server)")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "give up after this many seconds (default: ${DEFAULT-VALUE})")
    private double timeout;

    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        Duration limit = CallCommand.seconds(spec, timeout);
        Map<String, Health.State> states;
        Health.State verdict;
        try (Client client = target.client(limit)) {
            Health health = client.proxy(Health.class, Health.SERVICE);
            if (service != null) {
                states = new LinkedHashMap<>();
                verdict = health.check(service);
                states.put(service, verdict);
            } else {
                states = health.checkAll();
                verdict = states.getOrDefault("", Health.State.NOT_SERVING);
            }
        } catch (Exception e) {
            throw target.explain(e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(states, true));
        } else if (service != null) {
            out.println(verdict);
        } else {
            int width = states.keySet().stream().mapToInt(s -> Math.max(s.length(), "(server)".length())).max()
                    .orElse(0);
            states.forEach((name, state) -> {
                String shown = name.isEmpty() ? "(server)" : name;
                out.println(shown + " ".repeat(width - shown.length() + 2) + state);
            });
        }
        out.flush();
        return verdict == Health.State.SERVING ? 0 : 1;
    }
}
