package dev.hermod.zookeeper;

import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** The Curator clients this module opens itself: one per resolver, one per registration. */
final class Curators {
    static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(15);

    private Curators() {}

    /** A client, not started: retries each operation 29 times, backing off from 100 ms to 10 s. */
    static CuratorFramework newClient(String connectString, Duration sessionTimeout) {
        return CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
                .connectionTimeoutMs(Math.toIntExact(CONNECTION_TIMEOUT.toMillis()))
                .retryPolicy(new ExponentialBackoffRetry(100, 29, 10_000))
                .build();
    }
}
