package dev.hermod.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What holds while the pool hands a waiting call its connection: the per-connection cap (a call
 * that comes before that call's request is registered waits in line instead of taking the slot
 * too), and the order of oneway requests and batches (one that comes before the waiting one has
 * sent goes after it).
 */
class ConnectionPoolCapTest {

    @Test
    void aCallComingWhileTheFirstIsHandedItsConnection_waitsForTheSlot() throws Exception {
        CompletableFuture<TestMember> connecting = new CompletableFuture<>();
        ConnectionPool<TestMember> pool = new ConnectionPool<>("test", new ConnectionPool.Limits(1, 1, 1, 0, 0),
                () -> connecting, () -> { }, new Backoff(Duration.ofMillis(10), Duration.ofMillis(100)),
                new ConnectionPool.Watcher() { }, Duration.ZERO);
        CountDownLatch handing = new CountDownLatch(1);
        CountDownLatch register = new CountDownLatch(1);

        CompletableFuture<TestMember> first = pool.acquire(); // waits: no connection yet
        first.thenAccept(conn -> { // the call being sent: its request is registered a moment later
            handing.countDown();
            try {
                register.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            conn.pending.incrementAndGet();
        });
        TestMember conn = new TestMember();
        Thread opened = new Thread(() -> connecting.complete(conn)); // the pump hands first its connection here
        opened.start();
        assertThat(handing.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<TestMember> second = pool.acquire();
        boolean tookTheSlot = second.isDone();
        register.countDown();
        opened.join(30_000);

        assertThat(tookTheSlot).as("the second call took the slot the first was about to fill").isFalse();
        assertThat(second).isNotDone(); // the slot is the first call's now
        assertThat(conn.pending).hasValue(1);
    }

    @Test
    void anOrderedRequestComingWhileTheFirstIsHandedItsConnection_goesAfterIt() throws Exception {
        CompletableFuture<TestMember> connecting = new CompletableFuture<>();
        ConnectionPool<TestMember> pool = new ConnectionPool<>("test", new ConnectionPool.Limits(1, 1, 0, 0, 0),
                () -> connecting, () -> { }, new Backoff(Duration.ofMillis(10), Duration.ofMillis(100)),
                new ConnectionPool.Watcher() { }, Duration.ZERO);
        CountDownLatch handing = new CountDownLatch(1);
        CountDownLatch send = new CountDownLatch(1);
        List<String> sent = new CopyOnWriteArrayList<>();

        pool.ordered().thenAccept(conn -> { // waits: no connection yet; then sends, a moment later
            handing.countDown();
            try {
                send.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sent.add("first");
        });
        Thread opened = new Thread(() -> connecting.complete(new TestMember())); // the pump hands it here
        opened.start();
        assertThat(handing.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> second = pool.ordered().thenAccept(conn -> sent.add("second"));
        boolean wentFirst = second.isDone();
        send.countDown();
        opened.join(30_000);
        second.get(30, TimeUnit.SECONDS);

        assertThat(wentFirst).as("the second request took the home before the first had sent").isFalse();
        assertThat(sent).containsExactly("first", "second");
    }
}
