package dev.hermod.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.hermod.Client;
import dev.hermod.RpcException;
import dev.hermod.health.Health;
import dev.hermod.resolve.EndpointStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hermod endpoints TARGET}: the servers a target stands for, each with its state after the
 * client has tried to connect to it, its outstanding calls and its latency; exits 0 when at least
 * one is ready.
 */
@Command(name = "endpoints", mixinStandardHelpOptions = true,
        description = {"List the servers a target stands for (tcp://a:4061,b:4061, or a resolver's target),",
                "connecting to each: its state, outstanding calls and latency.",
                "Exits 0 when at least one is READY, 1 otherwise."})
final class EndpointsCommand implements Callable<Integer> {
    /** How often, while some endpoint is still being tried, a call asks the client to try it. */
    private static final long ROUND_MILLIS = 25;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", converter = Endpoint.Converter.class,
            description = "the servers: host:port, tcp://host:port,host:port,... or a resolver's scheme:...")
    private Endpoint target;

    @Option(names = "--json", description = "print a JSON array of {address, state, outstanding, latencyMillis, weight, attributes}")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "stop trying endpoints after this many seconds (default: ${DEFAULT-VALUE})")
    private double timeout;

    @Mixin
    private VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        Duration limit = CallCommand.seconds(spec, timeout);
        List<EndpointStatus> endpoints;
        try (Client client = target.client(limit)) {
            Health health = client.proxy(Health.class, Health.SERVICE);
            long deadline = System.nanoTime() + limit.toNanos();
            // Each call lets the client connect, in the background, to the endpoints it has not
            // reached yet; stop once every endpoint is ready, unreachable or draining.
            do {
                try {
                    health.check("");
                } catch (RpcException e) {
                    // an endpoint that cannot answer shows in its state below
                }
                endpoints = client.endpoints();
                if (endpoints.stream().noneMatch(EndpointsCommand::stillTrying)) {
                    break;
                }
                Thread.sleep(ROUND_MILLIS);
            } while (System.nanoTime() - deadline < 0);
        } catch (Exception e) {
            throw target.explain(e);
        }
        print(endpoints);
        return endpoints.stream().anyMatch(e -> e.state() == EndpointStatus.State.READY) ? 0 : 1;
    }

    private static boolean stillTrying(EndpointStatus e) {
        return e.state() == EndpointStatus.State.IDLE || e.state() == EndpointStatus.State.CONNECTING;
    }

    private void print(List<EndpointStatus> endpoints) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (EndpointStatus e : endpoints) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("address", e.endpoint().address());
                m.put("state", e.state().name());
                m.put("outstanding", e.outstandingCalls());
                m.put("latencyMillis", e.recentLatency().map(d -> d.toNanos() / 1e6).orElse(null));
                m.put("weight", e.endpoint().weight());
                m.put("attributes", e.endpoint().attributes());
                list.add(m);
            }
            out.println(Json.write(list, true));
        } else {
            int width = endpoints.stream().mapToInt(e -> e.endpoint().address().length()).max().orElse(0);
            width = Math.max(width, "ENDPOINT".length());
            out.println(pad("ENDPOINT", width) + "  " + pad("STATE", 11) + "  OUTSTANDING  LATENCY");
            for (EndpointStatus e : endpoints) {
                out.println(pad(e.endpoint().address(), width) + "  " + pad(e.state().name(), 11) + "  "
                        + pad(String.valueOf(e.outstandingCalls()), 11) + "  "
                        + e.recentLatency().map(d -> String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6))
                                .orElse("-"));
            }
        }
        out.flush();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
