package dev.hermod.internal.transport;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a server's open connections, in all and per remote IP address, and refuses one past
 * either limit. A connection counts from its acceptance until its channel closes. Thread-safe.
 */
public final class ConnectionCount {
    private final int max;
    private final int maxPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    public ConnectionCount(int max, int maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Counts a newly accepted channel, and uncounts it when it closes; returns why it must be
     * refused (and then does not count it), or null.
     */
    public String admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return "the server has " + max + " connections open, its limit (maxConnections)";
        }
        InetAddress address = address(channel.remoteAddress());
        AtomicInteger n = null;
        while (address != null && n == null) {
            AtomicInteger candidate = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
            synchronized (candidate) {
                if (perAddress.get(address) != candidate) {
                    continue; // emptied and removed meanwhile: take the new one
                }
                if (candidate.get() >= maxPerAddress) {
                    open.decrementAndGet();
                    return "this address has " + maxPerAddress + " connections open, the limit per address"
                            + " (maxConnectionsPerAddress)";
                }
                candidate.incrementAndGet();
                n = candidate;
            }
        }
        AtomicInteger counted = n;
        channel.closeFuture().addListener(f -> {
            open.decrementAndGet();
            if (counted != null) {
                synchronized (counted) {
                    if (counted.decrementAndGet() == 0) {
                        perAddress.remove(address, counted);
                    }
                }
            }
        });
        return null;
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    private static InetAddress address(SocketAddress a) {
        return a instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
