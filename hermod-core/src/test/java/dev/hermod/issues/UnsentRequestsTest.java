package dev.hermod.issues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.RpcException;
import dev.hermod.Server;
import dev.hermod.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 1: a request canceled or expired while it waits in the client is never sent, and
 * {@link RpcException#isUnprocessed()} is true exactly when the server can never have seen it.
 *
 * <p>The server dispatches one request per connection at a time and its servant waits at a gate,
 * so it stops reading; the client's socket buffers fill and further requests wait in the client's
 * backlog ({@link AsyncResult#isSent()} false). Then the gate opens and the backlog drains.
 */
final class UnsentRequestsTest {
    private static final byte[] CHUNK = new byte[128 * 1024];
    /** Bytes of requests the tests hold back in the client: twice what the kernel may still take. */
    static final long BACKLOG = 8L * 1024 * 1024;

    private final Gate.Impl impl = new Gate.Impl();
    private Server server;
    private Client client;

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").maxInFlightPerConnection(1).add("gate", Gate.class, impl).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + server.port()).callTimeout(Duration.ofMinutes(2))
                .build();
    }

    @AfterEach
    void stop() {
        impl.open();
        client.close();
        server.close();
    }

    /** A client with one connection that carries one call at a time: the next call waits in line. */
    private Client cappedAtOneCall() {
        return Hermod.client().target("tcp://127.0.0.1:" + server.port()).maxOutstandingPerConnection(1)
                .maxConnections(1).build();
    }

    /** A request the servant holds at the gate, once it runs. */
    private AsyncResult<Void> holdServer(Gate.Async gate) {
        AsyncResult<Void> running = Gate.quiet(gate.hold(0, new byte[0]));
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.held.contains(0));
        return running;
    }

    /**
     * The in-flight request that holds the server, then requests until {@link #BACKLOG} bytes of
     * them wait in the client. The socket buffers may still grow and take some of those (the
     * kernel's send buffer up to 4 MiB here): the requests the tests pick are the last ones, with
     * more than that in front of them.
     */
    private List<AsyncResult<Void>> fillBacklog(Gate.Async gate) {
        AsyncResult<Void> first = holdServer(gate);
        List<AsyncResult<Void>> results = new ArrayList<>();
        results.add(first);
        for (int i = 1; i < 2_000 && client.connections().get(0).queuedBytes() < BACKLOG; i++) {
            AsyncResult<Void> r = Gate.quiet(gate.hold(i, CHUNK));
            assertThat(r.isDone()).as("call %d refused: %s", i, r).isFalse();
            results.add(r);
        }
        assertThat(client.connections().get(0).queuedBytes()).as("bytes waiting in the client")
                .isGreaterThanOrEqualTo(BACKLOG);
        return results;
    }

    @Test
    void cancelAndExpiry_ofQueuedRequests_neverSent_unprocessed_butWrittenOneProcessed() throws Exception {
        Gate.Async gate = client.proxy(Gate.Async.class, "gate");
        List<AsyncResult<Void>> results = fillBacklog(gate);
        int last = results.size() - 1;
        AsyncResult<Void> canceled = results.get(last - 2);
        AsyncResult<Void> expired = results.get(last - 1);
        assertThat(canceled.isSent()).isFalse();
        assertThat(expired.isSent()).isFalse();

        assertThat(canceled.cancel()).isTrue();
        expired.expireAfter(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(expired::isDone);
        // The request the servant is running gets a CANCEL frame: the server has seen it.
        AsyncResult<Void> onServer = results.get(0);
        assertThat(onServer.cancel()).isTrue();

        impl.open();
        for (AsyncResult<Void> r : results) {
            assertThat(r.waitForCompleted(Duration.ofSeconds(60))).as("%s", r).isTrue();
        }
        int canceledSequence = last - 2;
        int expiredSequence = last - 1;
        assertThat(impl.held).as("what the servant saw").doesNotContain(canceledSequence, expiredSequence);
        for (int i = 0; i < results.size(); i++) {
            if (i != canceledSequence && i != expiredSequence) {
                assertThat(impl.held).as("what the servant saw").contains(i);
                if (i > 0) {
                    assertThat(results.get(i).error()).as("call %d", i).isEmpty();
                }
            }
        }
        assertThat(canceled.error()).get().isInstanceOf(InvocationCanceledException.class)
                .matches(e -> ((RpcException) e).isUnprocessed(), "unprocessed");
        assertThat(expired.error()).get().isInstanceOf(InvocationTimeoutException.class)
                .matches(e -> ((RpcException) e).isUnprocessed(), "unprocessed");
        assertThat(onServer.error()).get().isInstanceOf(InvocationCanceledException.class)
                .matches(e -> !((RpcException) e).isUnprocessed(), "processed");
        assertThat(client.connections().get(0).queuedBytes()).isZero();
    }

    @Test
    void cancel_ofTwoWayCallInBatchWaitingInBacklog_neverSent_unprocessed() throws Exception {
        Gate.Async gate = client.proxy(Gate.Async.class, "gate");
        List<AsyncResult<Void>> results = fillBacklog(gate);
        Gate.Async batch = Hermod.batch(client.proxy(Gate.Async.class, "gate"));
        AsyncResult<String> kept = batch.echo("kept");
        AsyncResult<String> dropped = batch.echo("dropped");
        AsyncResult<String> keptToo = batch.echo("kept too");
        Hermod.flushAsync(batch);
        assertThat(dropped.isSent()).as("the batch waits behind the backlog").isFalse();

        assertThat(dropped.cancel()).isTrue();
        impl.open();
        assertThat(kept.value()).isEqualTo("kept");
        assertThat(keptToo.value()).isEqualTo("kept too");
        for (AsyncResult<Void> r : results) {
            assertThat(r.waitForCompleted(Duration.ofSeconds(60))).isTrue();
        }
        assertThat(impl.echoed).containsExactly("kept", "kept too");
        assertThat(dropped.error()).get().isInstanceOf(InvocationCanceledException.class)
                .matches(e -> ((RpcException) e).isUnprocessed(), "unprocessed");
    }

    @Test
    void connectionClosed_withRequestsInBacklog_theyFailUnprocessed_theWrittenOneProcessed() throws Exception {
        Gate.Async gate = client.proxy(Gate.Async.class, "gate");
        List<AsyncResult<Void>> results = fillBacklog(gate);
        AsyncResult<Void> queued = results.get(results.size() - 1);
        client.shutdownNow();
        assertThat(queued.waitForCompleted(Duration.ofSeconds(30))).isTrue();
        assertThat(queued.error()).get().isInstanceOf(ConnectionException.class)
                .matches(e -> ((RpcException) e).isUnprocessed(), "unprocessed");
        assertThat(results.get(0).waitForCompleted(Duration.ofSeconds(30))).isTrue();
        assertThat(results.get(0).error()).get().isInstanceOf(ConnectionException.class)
                .matches(e -> !((RpcException) e).isUnprocessed(), "processed: the servant was running it");
        assertThat(impl.held).doesNotContain(results.size() - 1);
    }

    @Test
    void clientClosed_withCallWaitingForAConnectionSlot_failsUnprocessed() throws Exception {
        try (Client capped = cappedAtOneCall()) {
            Gate.Async gate = capped.proxy(Gate.Async.class, "gate");
            AsyncResult<Void> running = holdServer(gate);
            AsyncResult<String> waiting = gate.echo("in line");
            assertThat(waiting.isDone()).isFalse();

            capped.shutdownNow();
            assertThat(waiting.waitForCompleted(Duration.ofSeconds(10))).isTrue();
            assertThat(waiting.error()).get().isInstanceOf(ConnectionException.class)
                    .matches(e -> ((RpcException) e).isUnprocessed(), "unprocessed: it never had a connection");
            assertThat(running.waitForCompleted(Duration.ofSeconds(10))).isTrue();
            assertThat(running.error()).get().isInstanceOf(ConnectionException.class)
                    .matches(e -> !((RpcException) e).isUnprocessed(), "processed: the servant was running it");
        }
        assertThat(impl.echoed).isEmpty();
    }

    @Test
    void cancel_ofCallWaitingForAConnectionSlot_neverSent_unprocessed() throws Exception {
        try (Client capped = cappedAtOneCall()) {
            Gate.Async gate = capped.proxy(Gate.Async.class, "gate");
            AsyncResult<Void> running = holdServer(gate);
            AsyncResult<String> waiting = gate.echo("in line");
            AsyncResult<String> after = gate.echo("after");
            assertThat(waiting.cancel()).isTrue();

            impl.open();
            assertThat(after.value()).isEqualTo("after");
            running.value();
            assertThat(impl.echoed).containsExactly("after");
            assertThat(waiting.error()).get().isInstanceOf(InvocationCanceledException.class)
                    .matches(e -> ((RpcException) e).isUnprocessed(), "unprocessed");
        }
    }

    @Test
    void refusedByFlowControl_unprocessed_andNeverSent() throws Exception {
        try (Client small = Hermod.client().target("tcp://127.0.0.1:" + server.port())
                .maxQueuedBytes(CHUNK.length * 2L).build()) {
            Gate.Async gate = small.proxy(Gate.Async.class, "gate");
            AsyncResult<Void> first = holdServer(gate);
            RpcException refused = null;
            int refusedSequence = -1;
            for (int i = 1; i < 2_000 && refused == null; i++) {
                AsyncResult<Void> r = Gate.quiet(gate.hold(i, CHUNK));
                if (r.isDone()) {
                    refused = (RpcException) r.error().orElseThrow();
                    refusedSequence = i;
                }
            }
            assertThat(refused).isNotNull();
            assertThat(refused.status()).isEqualTo(Status.RESOURCE_EXHAUSTED);
            assertThat(refused.isUnprocessed()).isTrue();
            impl.open();
            first.value();
            int never = refusedSequence;
            await().atMost(Duration.ofSeconds(30)).until(() -> impl.held.size() == never);
            assertThat(impl.held).doesNotContain(never);
        }
    }
}
