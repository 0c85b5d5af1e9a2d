package dev.hermod.resolve;

import java.util.Map;
import java.util.Objects;

/**
 * One server a client may send calls to: its host and port, a weight for
 * {@link LoadBalancing#WEIGHTED} and attributes a resolver attaches (a zone, a version; Hermod
 * reads only {@link #TLS_SERVER_NAME}). Two endpoints are the same server when their host and
 * port are equal ({@link #address()}): a resolver that reports a known address with another
 * weight or attributes changes them without touching its connections. Immutable.
 *
 * @param host a host name, or an IPv4 or IPv6 literal (without brackets)
 * @param port the TCP port, 1 to 65535
 * @param weight this endpoint's share of calls under {@link LoadBalancing#WEIGHTED}, relative to
 *     the others' (an SRV record's weight, a registry's attribute); 0 or more, 1 by default. An
 *     endpoint of weight 0 is chosen only when no endpoint of positive weight can take the call
 * @param attributes what the resolver knows of the endpoint; copied
 * @since 0.3
 */
public record Endpoint(String host, int port, int weight, Map<String, String> attributes) {
    /**
     * The attribute naming the server a TLS client expects in the endpoint's certificate, when
     * {@link #host()} is not that name (a resolver that reports addresses, such as DNS). Default:
     * the host.
     */
    public static final String TLS_SERVER_NAME = "hermod.tls.serverName";

    /**
     * Checks and copies the components.
     *
     * @param host a host name, or an IPv4 or IPv6 literal (without brackets)
     * @param port the TCP port, 1 to 65535
     * @param weight 0 or more
     * @param attributes what the resolver knows of the endpoint; copied
     * @throws IllegalArgumentException if the host is empty or bracketed, the port outside 1 to
     *     65535 or the weight negative
     */
    public Endpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(attributes, "attributes");
        if (host.isEmpty() || host.startsWith("[") || host.indexOf(',') >= 0 || host.indexOf('/') >= 0) {
            throw new IllegalArgumentException("invalid endpoint host '" + host
                    + "': a name or an address, IPv6 without brackets");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid port " + port + " for endpoint " + host + ": 1 to 65535");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("negative weight " + weight + " for endpoint " + host + ":" + port);
        }
        attributes = Map.copyOf(attributes);
    }

    /**
     * An endpoint of weight 1 without attributes.
     *
     * @param host a host name or an address
     * @param port the TCP port
     * @return the endpoint
     */
    public static Endpoint of(String host, int port) {
        return new Endpoint(host, port, 1, Map.of());
    }

    /**
     * This endpoint with another weight.
     *
     * @param weight 0 or more
     * @return a copy
     */
    public Endpoint withWeight(int weight) {
        return new Endpoint(host, port, weight, attributes);
    }

    /**
     * This endpoint with other attributes.
     *
     * @param attributes the new attributes; copied
     * @return a copy
     */
    public Endpoint withAttributes(Map<String, String> attributes) {
        return new Endpoint(host, port, weight, attributes);
    }

    /**
     * What identifies the server: {@code host:port}, an IPv6 host in brackets.
     *
     * @return the address
     */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
