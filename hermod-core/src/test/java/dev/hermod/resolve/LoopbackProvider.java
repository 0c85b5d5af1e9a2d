package dev.hermod.resolve;

import java.net.URI;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A provider found through {@link java.util.ServiceLoader} (listed in this module's test
 * resources): {@code loopback-test://port} resolves, on the resolver thread, to 127.0.0.1 and
 * that port.
 */
public final class LoopbackProvider implements NameResolver.Provider {
    @Override
    public String scheme() {
        return "loopback-test";
    }

    @Override
    public NameResolver newResolver(URI target, ScheduledExecutorService scheduler) {
        int port = Integer.parseInt(target.getAuthority());
        return new NameResolver() {
            @Override
            public void start(Listener listener) {
                scheduler.execute(() -> listener.onEndpoints(List.of(Endpoint.of("127.0.0.1", port))));
            }

            @Override
            public void close() {}
        };
    }
}
