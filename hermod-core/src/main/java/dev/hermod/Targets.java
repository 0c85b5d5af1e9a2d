package dev.hermod;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/** Validation shared by the builders. */
final class Targets {
    private Targets() {}

    static URI parse(String target) {
        Objects.requireNonNull(target, "target");
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid target '" + target + "': " + e.getMessage(), e);
        }
        boolean noPath = uri.getPath() == null || uri.getPath().isEmpty();
        if ("inproc".equals(uri.getScheme()) && uri.getAuthority() != null && uri.getPort() < 0 && noPath
                && uri.getQuery() == null && uri.getUserInfo() == null) {
            return uri;
        }
        if (!("tcp".equals(uri.getScheme()) || "tls".equals(uri.getScheme())) || uri.getHost() == null || uri.getPort() < 0
                || !noPath) {
            throw new IllegalArgumentException("invalid target '" + target
                    + "': expected tcp://host:port, tls://host:port or inproc://name");
        }
        return uri;
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
