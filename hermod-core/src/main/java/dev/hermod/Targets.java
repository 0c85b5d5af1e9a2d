package dev.hermod;

import dev.hermod.resolve.Endpoint;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Validation shared by the builders. */
final class Targets {
    private Targets() {}

    private static final String EXPECTED = "expected tcp://host:port, tcp://host:port,host:port,... (tls:// alike),"
            + " inproc://name, or a scheme:... target whose scheme has a resolver";

    /**
     * A client's target, parsed: its text and scheme, and either its endpoints (a {@code tcp://} or
     * {@code tls://} list; for {@code inproc://name}, the name as the one host) or, for another
     * scheme, the URI its resolver reads.
     */
    record ClientTarget(String text, String scheme, List<Endpoint> endpoints, URI uri) {
        boolean resolved() {
            return endpoints == null;
        }
    }

    /**
     * Parses a client's target. A target of another scheme than {@code tcp}, {@code tls} and
     * {@code inproc} is only checked to be a URI here; whether a resolver takes it is decided when
     * the client is built.
     */
    static ClientTarget parse(String target) {
        Objects.requireNonNull(target, "target");
        int colon = target.indexOf(':');
        String scheme = colon > 0 ? target.substring(0, colon) : "";
        if ((scheme.equals("tcp") || scheme.equals("tls")) && target.startsWith(scheme + "://")) {
            return new ClientTarget(target, scheme, endpoints(target, scheme), null);
        }
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid target '" + target + "': " + e.getMessage() + "; " + EXPECTED, e);
        }
        boolean noPath = uri.getPath() == null || uri.getPath().isEmpty();
        if ("inproc".equals(uri.getScheme()) && uri.getAuthority() != null && uri.getPort() < 0 && noPath
                && uri.getQuery() == null && uri.getUserInfo() == null) {
            return new ClientTarget(target, "inproc", List.of(Endpoint.of(inProcessName(uri.getAuthority()), 1)), uri);
        }
        if (uri.getScheme() == null || BUILT_IN.contains(uri.getScheme()) || !uri.getScheme().equals(
                uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("invalid target '" + target + "': " + EXPECTED);
        }
        return new ClientTarget(target, uri.getScheme(), null, uri);
    }

    /** The schemes Hermod resolves itself. */
    static final java.util.Set<String> BUILT_IN = java.util.Set.of("tcp", "tls", "inproc");

    /** The endpoints of a {@code tcp://} or {@code tls://} list: each {@code host:port}, IPv6 in brackets. */
    private static List<Endpoint> endpoints(String target, String scheme) {
        String[] parts = target.substring(scheme.length() + 3).split(",", -1);
        Map<String, Endpoint> found = new LinkedHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            String where = parts.length == 1 ? "" : " (endpoint " + (i + 1) + " of " + parts.length + ")";
            if (parts[i].isEmpty()) {
                throw new IllegalArgumentException("invalid target '" + target + "'" + where + ": empty endpoint; "
                        + EXPECTED);
            }
            URI uri;
            try {
                uri = new URI(scheme + "://" + parts[i]);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("invalid target '" + target + "'" + where + ": " + e.getMessage()
                        + "; " + EXPECTED, e);
            }
            if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535
                    || uri.getUserInfo() != null || !(uri.getPath() == null || uri.getPath().isEmpty())
                    || uri.getQuery() != null || uri.getFragment() != null) {
                throw new IllegalArgumentException("invalid target '" + target + "'" + where + ": '" + parts[i]
                        + "' is not host:port; " + EXPECTED);
            }
            String host = uri.getHost();
            Endpoint e = Endpoint.of(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, uri.getPort());
            if (found.putIfAbsent(e.address(), e) != null) {
                throw new IllegalArgumentException("invalid target '" + target + "': it lists " + e.address() + " twice");
            }
        }
        return List.copyOf(found.values());
    }

    /** Checks the name of an in-process server: what {@code inproc://name} may name. */
    static String inProcessName(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._~-]*")) {
            throw new IllegalArgumentException("invalid in-process name '" + name
                    + "': letters, digits, '.', '_', '~' and '-', starting with a letter or digit");
        }
        return name;
    }

    static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    /** Checks a count or size that must be at least 1. */
    static long positive(long n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + n);
        }
        return n;
    }

    /** Checks a minimum read rate in bytes per second: 0 (none) or more. */
    static int readRate(int bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("minReadRate must not be negative: " + bytesPerSecond);
        }
        return bytesPerSecond;
    }

    static Duration nonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }
}
