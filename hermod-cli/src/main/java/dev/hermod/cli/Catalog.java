package dev.hermod.cli;

import java.util.List;
import java.util.stream.Collectors;

import dev.hermod.Client;
import dev.hermod.tools.ServiceDescription;
import picocli.CommandLine;

/**
 * What a server offers, as its describe service tells it, with look-ups that fail in words a
 * user can act on: the service or operation that is not there, and what is.
 *
 * @param target the server, for messages
 * @param services its services, in the order they were bound
 */
record Catalog(Endpoint target, List<ServiceDescription> services) {

    /** Asks the server over {@code client}; failures come back as they are, for {@link Endpoint#explain}. */
    static Catalog fetch(Endpoint target, Client client) throws Exception {
        return new Catalog(target, client.describe().value());
    }

    /** The service named {@code name}; a name the server does not know is a failure (exit 1). */
    ServiceDescription service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() ->
                new Failures.CommandFailure("no service '" + name + "' on " + target + ": it offers "
                        + (services.isEmpty() ? "none" : services.stream().map(ServiceDescription::name)
                                .collect(Collectors.joining(", "))) + " [SERVICE_NOT_FOUND]",
                        CommandLine.ExitCode.SOFTWARE, null));
    }

    /** The operation {@code name} of {@code service}; a name it does not have is a failure (exit 1). */
    static ServiceDescription.Operation operation(ServiceDescription service, String name) {
        return service.operations().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow(() ->
                new Failures.CommandFailure("service " + service.name() + " has no operation '" + name
                        + "': it has " + service.operations().stream().map(ServiceDescription.Operation::name)
                                .sorted().collect(Collectors.joining(", ")) + " [OPERATION_NOT_FOUND]",
                        CommandLine.ExitCode.SOFTWARE, null));
    }
}
