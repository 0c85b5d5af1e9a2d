package dev.hermod.cli;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import picocli.CommandLine;

/**
 * The server, or servers, a command talks to: any target {@code Hermod.client} takes
 * ({@code tcp://host:port}, a list {@code tcp://a:4061,b:4061}, {@code tls://...}, a resolver's
 * {@code scheme:...}); {@code host:port} and {@code a:4061,b:4061} stand for {@code tcp://}.
 *
 * @param uri the target
 */
record Endpoint(String uri) {

    /**
     * Parses a TARGET argument, as {@code Hermod.client} takes it ({@code host:port} standing for
     * {@code tcp://host:port}, and lists of them): a bad one, or one whose scheme has no resolver,
     * is a usage error.
     */
    static final class Converter implements CommandLine.ITypeConverter<Endpoint> {
        @Override
        public Endpoint convert(String value) {
            String s = value.contains("://") || value.matches("[a-z][a-z0-9+.-]*:/.*") ? value : "tcp://" + value;
            try (Client checked = Hermod.client().target(s).build()) {
                return new Endpoint(checked.target()); // built to check the scheme's resolver: no I/O
            } catch (IllegalArgumentException e) {
                String why = e.getMessage();
                String prefix = "invalid target '" + s + "'";
                throw new CommandLine.TypeConversionException("invalid target '" + value + "'"
                        + (why.startsWith(prefix) ? why.substring(prefix.length()) : ": " + why));
            }
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
