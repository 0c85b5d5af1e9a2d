package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.Relay;
import dev.hermod.Server;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 item 7: a {@code @Deduplicated} call whose connection is cut after the server ran it
 * (its reply lost), or while the server runs it, is sent again and gets the reply of its one run;
 * the deposit happens once. The connection runs through a {@link Relay} that cuts it.
 */
@Timeout(value = 60, unit = SECONDS)
final class DeduplicationTest {
    private Server server;
    private Client client;
    private Relay relay;

    @AfterEach
    void close() throws Exception {
        Ports.closeAll(client, server);
        if (relay != null) {
            relay.close();
        }
    }

    private Accounts start(AccountsImpl servant, Server.Builder builder) throws Exception {
        server = builder.host("127.0.0.1").add("accounts", Accounts.class, servant).start();
        relay = new Relay(server.port());
        client = Hermod.client().target("tcp://127.0.0.1:" + relay.port())
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).callTimeout(Duration.ofSeconds(30))
                .build();
        Accounts accounts = client.proxy(Accounts.class, "accounts");
        assertThat(accounts.balance("a")).isZero(); // connected and idle: the next bytes from the server are a reply
        return accounts;
    }

    @Test
    void replyLost_callSentAgain_runsOnceAndGetsTheValue() throws Exception {
        AccountsImpl servant = new AccountsImpl(false);
        Accounts accounts = start(servant, Hermod.server());
        relay.cutOnNextReply();

        assertThat(accounts.deposit("a", 10)).isEqualTo(10);

        assertThat(relay.cuts()).as("connections cut").isEqualTo(1);
        assertThat(relay.connections()).as("connections made: the call was sent again on a new one").isEqualTo(2);
        assertThat(servant.depositsRun).as("deposits run").hasValue(1);
        assertThat(accounts.balance("a")).isEqualTo(10);
    }

    @Test
    void connectionLostWhileRunning_callSentAgain_getsTheReplyOfTheOneRun() throws Exception {
        AccountsImpl servant = new AccountsImpl(true);
        Accounts accounts = start(servant, Hermod.server());
        CompletableFuture<Long> deposit = CompletableFuture.supplyAsync(() -> accounts.deposit("a", 7));
        assertThat(servant.entered.await(20, SECONDS)).isTrue();

        relay.cutAll(); // the server loses the connection while the deposit runs
        long deadline = System.nanoTime() + SECONDS.toNanos(20);
        while (relay.connections() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        servant.gate.release(10);

        assertThat(deposit.get(20, SECONDS)).isEqualTo(7);
        assertThat(relay.connections()).isEqualTo(2);
        assertThat(servant.depositsRun).as("deposits run").hasValue(1);
        assertThat(accounts.balance("a")).isEqualTo(7);
    }

    @Test
    void unmarkedCall_replyLost_failsRatherThanRunningTwice() throws Exception {
        AccountsImpl servant = new AccountsImpl(false);
        Accounts accounts = start(servant, Hermod.server());
        relay.cutOnNextReply();

        ConnectionException e = assertThrows(ConnectionException.class, () -> accounts.depositUnmarked("a", 10));

        assertThat(e.isUnprocessed()).isFalse();
        assertThat(servant.depositsRun).hasValue(1);
        assertThat(accounts.balance("a")).isEqualTo(10);
    }

    @Test
    void callerSetsTheCallId_twoCallsWithOneId_runOnce() throws Exception {
        AccountsImpl servant = new AccountsImpl(false);
        java.util.concurrent.atomic.AtomicReference<dev.hermod.intercept.Vitals> vitals = new java.util.concurrent.atomic.AtomicReference<>();
        Accounts accounts = start(servant, Hermod.server().intercept(new dev.hermod.intercept.ServerInterceptor() {
            @Override
            public void bind(dev.hermod.intercept.Vitals v) {
                vitals.set(v);
            }
        }));
        Accounts keyed = Hermod.withOptions(accounts, o -> o.withContext("hermod-call-id", "order-42"));

        assertThat(keyed.deposit("b", 5)).isEqualTo(5);
        assertThat(keyed.deposit("b", 5)).as("the reply of the first run").isEqualTo(5);
        assertThat(accounts.deposit("b", 5)).as("a call of its own id").isEqualTo(10);

        assertThat(servant.depositsRun).hasValue(2);
        assertThat(vitals.get().deduplicatedReplays()).as("the server's count of replays").isEqualTo(1);
    }

    @Test
    void pastTheBounds_theOldestReplyIsForgotten_andItsCallRunsAgain() throws Exception {
        AccountsImpl servant = new AccountsImpl(false);
        java.util.concurrent.atomic.AtomicReference<dev.hermod.intercept.Vitals> vitals = new java.util.concurrent.atomic.AtomicReference<>();
        Accounts accounts = start(servant, Hermod.server().deduplication(Duration.ofMinutes(5), 1, 1 << 20)
                .intercept(new dev.hermod.intercept.ServerInterceptor() {
                    @Override
                    public void bind(dev.hermod.intercept.Vitals v) {
                        vitals.set(v);
                    }
                }));
        Accounts x = Hermod.withOptions(accounts, o -> o.withContext("hermod-call-id", "x"));
        Accounts y = Hermod.withOptions(accounts, o -> o.withContext("hermod-call-id", "y"));

        assertThat(x.deposit("c", 1)).isEqualTo(1);
        assertThat(x.deposit("c", 1)).as("remembered").isEqualTo(1);
        assertThat(y.deposit("c", 1)).isEqualTo(2); // one reply is kept: x's is forgotten
        assertThat(x.deposit("c", 1)).as("forgotten, so run again").isEqualTo(3);

        assertThat(servant.depositsRun).hasValue(3);
        // x's reply, then y's (x's second run is kept in its place): each dropped before its window ended
        assertThat(vitals.get().deduplicationEvictions()).as("replies dropped early").isEqualTo(2);
    }
}
