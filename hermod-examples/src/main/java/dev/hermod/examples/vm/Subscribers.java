package dev.hermod.examples.vm;

import dev.hermod.Hermod;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners subscribed to state changes, and their delivery: one thread delivers every
 * change, in the order the changes happened, so a slow or vanished client never holds up an
 * action, and each listener receives the changes of a VM in order.
 *
 * <p>A listener is the proxy Hermod made for a client's object; Hermod hands out the same proxy
 * each time a connection passes the same object, so the map finds it again on unsubscribe.
 * Thread-safe.
 */
final class Subscribers {
    private static final Logger log = LoggerFactory.getLogger(Subscribers.class);

    /** Each listener and its oneway form, made once. */
    private final Map<VmEvents, VmEvents> listeners = new ConcurrentHashMap<>();
    private final Executor delivery;

    /** @param delivery runs deliveries one at a time, in the order given */
    Subscribers(Executor delivery) {
        this.delivery = delivery;
    }

    void add(VmEvents listener) {
        listeners.computeIfAbsent(listener, Hermod::oneway);
    }

    void remove(VmEvents listener) {
        if (listeners.remove(listener) != null) {
            Hermod.release(listener);
        }
    }

    void publish(VmStateChange change) {
        delivery.execute(() -> deliver(change));
    }

    private void deliver(VmStateChange change) {
        for (Map.Entry<VmEvents, VmEvents> e : listeners.entrySet()) {
            try {
                e.getValue().stateChanged(change);
            } catch (RuntimeException failure) {
                // The client went away or its object is gone: it will not hear from us again.
                log.debug("dropping subscriber {}: {}", e.getKey(), failure.toString());
                remove(e.getKey());
            }
        }
    }
}
