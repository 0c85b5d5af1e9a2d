package dev.hermod.cli;

import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import picocli.CommandLine;

/**
 * The server a command talks to, as {@code tcp://host:port}; also accepts {@code host:port}.
 *
 * @param uri the normalized target
 */
record Endpoint(String uri) {

    /** Parses a TARGET argument; a bad one is a usage error. */
    static final class Converter implements CommandLine.ITypeConverter<Endpoint> {
        @Override
        public Endpoint convert(String value) {
            String s = value.contains("://") ? value : "tcp://" + value;
            try {
                URI uri = new URI(s);
                if ("tcp".equals(uri.getScheme()) && uri.getHost() != null
                        && uri.getPort() > 0 && uri.getPort() <= 65535
                        && (uri.getPath() == null || uri.getPath().isEmpty()) && uri.getQuery() == null) {
                    return new Endpoint("tcp://" + uri.getHost() + ":" + uri.getPort());
                }
            } catch (URISyntaxException e) {
                // reported below, with the expected form
            }
            throw new CommandLine.TypeConversionException(
                    "invalid target '" + value + "': expected tcp://host:port or host:port");
        }
    }

    /** Builds a client for this endpoint; it connects on its first call. */
    Client client(Duration timeout) {
        return Hermod.client()
                .target(uri)
                .callTimeout(timeout)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10))
                .build();
    }

    /**
     * Puts a failure to reach the server into words naming this endpoint; returns other failures
     * unchanged (unwrapped from {@code ExecutionException}).
     */
    Exception explain(Exception e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ConnectionException) {
            Throwable root = Failures.rootCause(t);
            if (root instanceof ConnectException || root instanceof UnknownHostException) {
                String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
                int address = why.indexOf(": /");
                if (address > 0) {
                    why = why.substring(0, address);   // Netty appends the address we already name
                }
                // Netty's native transport prefixes the system call: "finishConnect(..) failed with error(-111): "
                why = why.substring(why.lastIndexOf(": ") + 1).strip();
                if (root instanceof UnknownHostException) {
                    why = "unknown host " + why;
                }
                return new Failures.CommandFailure("cannot connect to " + uri + ": " + why,
                        CommandLine.ExitCode.SOFTWARE, t);
            }
        }
        return t instanceof Exception x ? x : e;
    }

    @Override
    public String toString() {
        return uri;
    }
}
