package dev.hermod.examples.vm;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.RpcException;
import dev.hermod.connection.Connection;
import dev.hermod.connection.ConnectionListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a {@link VmEvents} listener subscribed to a VM server across lost connections and
 * server restarts: when the connection that carried the subscription closes, the client is told
 * that the server lost its reference to the listener ({@link ConnectionListener#referencesLost}),
 * and subscribes it again; the call waits for a restarting server to come back. No event is
 * silently lost: between the loss and the new subscription the listener hears nothing, and knows
 * it (see {@link #subscriptions()}).
 *
 * <p>Run it against a server ({@code hermod serve} or {@link VmLab}) and restart the server: the
 * watcher goes on printing state changes.
 *
 * <pre>{@code
 * try (VmWatch watch = VmWatch.start("tcp://localhost:4061", change -> System.out.println(change))) {
 *     ...
 * }
 * }</pre>
 */
public final class VmWatch implements AutoCloseable {
    private final Client client;
    private final Vms vms;
    private final VmEvents listener;
    private final AtomicInteger subscriptions = new AtomicInteger();
    private volatile boolean closed;

    private VmWatch(String target, VmEvents listener) {
        this.listener = listener;
        this.client = Hermod.client().target(target)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
                .restartWait(Duration.ofSeconds(10))
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void referencesLost(Connection connection, List<Object> objects) {
                        if (objects.contains(VmWatch.this.listener)) {
                            subscribe(); // on the client's callback executor, one event at a time
                        }
                    }
                }).build();
        this.vms = client.proxy(Vms.class, VmLab.VMS);
    }

    /**
     * Subscribes {@code listener} to the state changes of the VMs of the server at {@code target},
     * and keeps it subscribed until {@link #close()}.
     *
     * @param target the server, e.g. {@code tcp://localhost:4061}
     * @param listener what hears the changes
     * @return the running watch
     * @throws RpcException if the first subscription fails
     */
    public static VmWatch start(String target, VmEvents listener) {
        VmWatch watch = new VmWatch(target, listener);
        try {
            watch.vms.subscribe(listener);
        } catch (RuntimeException e) {
            watch.close();
            throw e;
        }
        watch.subscriptions.incrementAndGet();
        return watch;
    }

    /** Subscribes again, until it works or the watch is closed. */
    private void subscribe() {
        while (!closed) {
            try {
                vms.subscribe(listener);
                subscriptions.incrementAndGet();
                return;
            } catch (RpcException e) {
                if (closed) {
                    return;
                }
                try {
                    Thread.sleep(200); // the server is still away: calls waited for it, then failed
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** How many times the listener was subscribed: 1, and one more after each loss. */
    public int subscriptions() {
        return subscriptions.get();
    }

    @Override
    public void close() {
        closed = true;
        client.close();
    }

    /**
     * Prints the state changes of the VMs of a server until interrupted, across restarts.
     *
     * @param args the server's target, {@code tcp://localhost:4061} if none
     * @throws InterruptedException when interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        String target = args.length > 0 ? args[0] : "tcp://localhost:4061";
        try (VmWatch watch = start(target, change -> System.out.println(change))) {
            Thread.currentThread().join();
        }
    }
}
