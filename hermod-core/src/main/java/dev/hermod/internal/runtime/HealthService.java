package dev.hermod.internal.runtime;

import dev.hermod.health.Health;
import dev.hermod.health.HealthControl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The servant of the reserved {@link Health#SERVICE} and the server's {@link HealthControl}: a
 * service serves unless the server drains or its owner took it (or the whole server) out.
 * Thread-safe.
 */
final class HealthService implements Health, HealthControl {
    private final List<String> services;
    private volatile boolean draining;
    private final Set<String> notServing = ConcurrentHashMap.newKeySet();

    /** @param services the names bound on the server, in order */
    HealthService(List<String> services) {
        this.services = List.copyOf(services);
    }

    /** The server has begun to shut down: nothing serves any more. */
    void drain() {
        draining = true;
    }

    @Override
    public State check(String service) {
        return state(service);
    }

    @Override
    public Map<String, State> checkAll() {
        Map<String, State> all = new LinkedHashMap<>();
        all.put("", state(""));
        for (String s : services) {
            all.put(s, state(s));
        }
        return all;
    }

    @Override
    public void setServing(String service, boolean serving) {
        Objects.requireNonNull(service, "service");
        if (!service.isEmpty() && !services.contains(service)) {
            throw new IllegalArgumentException("no service '" + service + "' is bound on this server; bound: "
                    + services);
        }
        if (serving) {
            notServing.remove(service);
        } else {
            notServing.add(service);
        }
    }

    @Override
    public State state(String service) {
        Objects.requireNonNull(service, "service");
        if (!service.isEmpty() && !services.contains(service)) {
            return State.SERVICE_UNKNOWN;
        }
        return draining || notServing.contains("") || notServing.contains(service)
                ? State.NOT_SERVING : State.SERVING;
    }
}
