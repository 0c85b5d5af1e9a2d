package dev.hermod.internal.transport;

import dev.hermod.resolve.Endpoint;
import dev.hermod.resolve.NameResolver;
import java.util.List;

/**
 * The resolver of a target that lists its endpoints ({@code tcp://a:4061,b:4061}, {@code tls://...},
 * {@code inproc://name}): reports them once, when started, and never changes. Immutable.
 */
public record FixedResolver(List<Endpoint> endpoints) implements NameResolver {
    public FixedResolver {
        endpoints = List.copyOf(endpoints);
    }

    @Override
    public void start(Listener listener) {
        listener.onEndpoints(endpoints);
    }

    @Override
    public void close() {}
}
