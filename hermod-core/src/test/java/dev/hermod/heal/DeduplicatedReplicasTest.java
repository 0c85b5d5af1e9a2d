package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.Relay;
import dev.hermod.Server;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code @Deduplicated} call on a client with two endpoints, whose connection is lost while the
 * server that took it runs it: the server's memory of the call is its own, so the call is sent
 * again only to that server, never to the other, which would run it a second time. If that
 * server cannot be reached again, the call fails saying its outcome is unknown. Each server
 * runs behind its own {@link Relay}; whichever takes the deposit cuts its relay while it runs.
 */
@Timeout(value = 60, unit = SECONDS)
final class DeduplicatedReplicasTest {
    /** Deposits run, over both servers. */
    private final AtomicInteger runs = new AtomicInteger();
    private final Side[] sides = new Side[2];
    private Client client;

    /** One server's accounts; the first deposit run on either server loses its connection as it runs. */
    private final class Side implements Accounts {
        final AccountsImpl accounts = new AccountsImpl(false);
        final boolean stayDown;
        volatile Relay relay;
        Server server;

        Side(boolean stayDown) {
            this.stayDown = stayDown;
        }

        @Override
        public long deposit(String account, long amount) {
            if (runs.incrementAndGet() == 1) {
                if (stayDown) {
                    closeQuietly(relay); // the endpoint refuses connections from now on
                } else {
                    relay.cutAll(); // the endpoint is there for the next connection
                }
            }
            return accounts.deposit(account, amount);
        }

        @Override
        public long depositUnmarked(String account, long amount) {
            return deposit(account, amount);
        }

        @Override
        public long balance(String account) {
            return accounts.balance(account);
        }
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
        for (Side s : sides) {
            if (s != null) {
                closeQuietly(s.relay);
                s.server.close();
            }
        }
    }

    private static void closeQuietly(Relay relay) {
        try {
            relay.close();
        } catch (java.io.IOException ignored) {
            // closed already
        }
    }

    /** Two servers, each behind a relay, and a client connected to both. */
    private Accounts start(boolean stayDown) throws Exception {
        StringBuilder target = new StringBuilder("tcp://");
        for (int i = 0; i < 2; i++) {
            Side s = new Side(stayDown);
            s.server = Hermod.server().host("127.0.0.1").add("accounts", Accounts.class, s).start();
            s.relay = new Relay(s.server.port());
            sides[i] = s;
            target.append(i == 0 ? "" : ",").append("127.0.0.1:").append(s.relay.port());
        }
        client = Hermod.client().target(target.toString()).callTimeout(Duration.ofSeconds(30))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).restartWait(Duration.ofMillis(500))
                .build();
        Accounts accounts = client.proxy(Accounts.class, "accounts");
        await().atMost(Duration.ofSeconds(20)).until(() -> accounts.balance("a") == 0
                && sides[0].relay.connections() > 0 && sides[1].relay.connections() > 0);
        return accounts;
    }

    /** The side that ran the deposit first: its relay cut the connection. */
    private Side first() {
        return sides[0].relay.cuts() > 0 ? sides[0] : sides[1];
    }

    private Side other() {
        return first() == sides[0] ? sides[1] : sides[0];
    }

    @Test
    void deduplicatedCall_connectionLostWhileRunning_isSentAgainToTheSameServerAndRunsOnce() throws Exception {
        Accounts accounts = start(false);

        assertThat(accounts.deposit("a", 10)).isEqualTo(10);

        assertThat(runs).as("deposits run over both servers").hasValue(1);
        assertThat(first().relay.connections()).as("connections to the server that ran it: sent again there")
                .isEqualTo(2);
        assertThat(first().balance("a")).isEqualTo(10);
        assertThat(other().balance("a")).isZero();
    }

    @Test
    void deduplicatedCall_serverThatRanItStaysDown_failsAsOutcomeUnknownAndRunsOnce() throws Exception {
        Accounts accounts = start(true);

        Throwable failure = catchThrowable(() -> accounts.deposit("a", 10));

        assertThat(runs).as("deposits run over both servers").hasValue(1);
        assertThat(failure).isInstanceOf(ConnectionException.class);
        assertThat(((ConnectionException) failure).isUnprocessed()).as("unprocessed").isFalse();
        assertThat(failure).hasStackTraceContaining("outcome is unknown");
        assertThat(other().balance("a")).isZero();
    }
}
