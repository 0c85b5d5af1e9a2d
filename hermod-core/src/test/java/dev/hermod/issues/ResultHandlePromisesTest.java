package dev.hermod.issues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.CallOptions;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.InvocationCanceledException;
import dev.hermod.Server;
import dev.hermod.connection.Connection;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 11, items 3 to 8: what an {@link AsyncResult} promises, each checked over loopback TCP. */
final class ResultHandlePromisesTest {
    private final Gate.Impl impl = new Gate.Impl();
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor();
    private final List<Client> clients = new ArrayList<>();
    private Server server;
    private Client client;
    private Gate.Async gate;

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").add("gate", Gate.class, impl).start();
        client = client(Hermod.client().callbackExecutor(callbacks));
        gate = client.proxy(Gate.Async.class, "gate");
    }

    private Client client(Client.Builder builder) {
        Client c = builder.target("tcp://127.0.0.1:" + server.port()).build();
        clients.add(c);
        return c;
    }

    @AfterEach
    void stop() {
        impl.open();
        clients.forEach(Client::close);
        server.close();
        callbacks.shutdownNow();
    }

    /** Returns once every callback handed to the single callback thread so far has run. */
    private void drainCallbacks() throws Exception {
        callbacks.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    // ---- item 3 ----

    @Test
    void get_afterCancel_throwsCancellationException_valueThrowsHermodsOwn() throws Exception {
        AsyncResult<Void> r = gate.hold(1, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.held.contains(1));
        Future<Void> future = r;
        assertThat(future.cancel(true)).isTrue();

        assertThat(future.isCancelled()).isTrue();
        assertThat(future.isDone()).isTrue();
        assertThatThrownBy(future::get).isInstanceOf(CancellationException.class)
                .hasCauseInstanceOf(InvocationCanceledException.class);
        assertThatThrownBy(() -> future.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class)
                .hasCauseInstanceOf(InvocationCanceledException.class);
        assertThatThrownBy(() -> r.toCompletableFuture().join()).isInstanceOf(CancellationException.class)
                .hasCauseInstanceOf(InvocationCanceledException.class);
        assertThatThrownBy(r::value).isInstanceOf(InvocationCanceledException.class);
        assertThat(r.error()).get().isInstanceOf(InvocationCanceledException.class);
    }

    @Test
    void get_afterCancelBeforeTheReply_throwsCancellationException() throws Exception {
        AsyncResult<String> r = gate.echo("late");
        r.cancel();
        assertThatThrownBy(r::get).isInstanceOf(CancellationException.class);
    }

    // ---- item 4 ----

    @Test
    void onewayResults_neverRunTheResponseCallback_butCompleteAndReportSent() throws Exception {
        AtomicInteger responses = new AtomicInteger();
        CompletableFuture<Boolean> sent = new CompletableFuture<>();
        CompletableFuture<Throwable> completed = new CompletableFuture<>();

        Gate.Async oneway = Hermod.oneway(gate);
        AsyncResult<Void> r = oneway.note("oneway");
        r.onResponse(v -> responses.incrementAndGet()).onSent(sent::complete)
                .onComplete((v, e) -> completed.complete(e));
        assertThat(r.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        assertThat(r.value()).isNull();
        assertThat(sent.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(r.isSent()).isTrue();
        assertThat(completed.get(10, TimeUnit.SECONDS)).isNull();

        Gate.Async batch = Hermod.batch(gate);
        AsyncResult<Void> queued = batch.note("batched");
        queued.onResponse(v -> responses.incrementAndGet());
        Hermod.flush(batch);
        assertThat(queued.value()).isNull();

        await().atMost(Duration.ofSeconds(10)).until(() -> impl.notes.containsAll(List.of("oneway", "batched")));
        drainCallbacks();
        assertThat(responses).as("response callbacks run").hasValue(0);
    }

    @Test
    void twowayResult_ofVoidOperation_stillRunsItsResponseCallback() throws Exception {
        CompletableFuture<Object> response = new CompletableFuture<>();
        gate.note("two-way").onResponse(response::complete);
        assertThat(response.get(10, TimeUnit.SECONDS)).isNull();
    }

    // ---- item 5 ----

    @Test
    void batchOneway_resultCompleteWhenTheCallReturns() throws Exception {
        ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
        Client paused = client(Hermod.client().callbackExecutor(held::add));
        Gate.Async batch = Hermod.batch(paused.proxy(Gate.Async.class, "gate"));

        AsyncResult<Void> r = batch.note("queued");
        assertThat(r.isDone()).as("complete at return, with no help from the callback executor").isTrue();
        assertThat(r.isFailed()).isFalse();
        assertThat(r.value()).isNull();
        assertThat(r.isSent()).as("queued, not yet sent").isFalse();

        Hermod.flush(batch);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.notes.contains("queued"));
        held.forEach(Runnable::run);
    }

    // ---- item 6 ----

    @Test
    void anyTimeout_works_longOnesMeanNoDeadline() throws Exception {
        Gate.Async longest = Hermod.withOptions(gate, o -> o.withTimeout(Duration.ofSeconds(Long.MAX_VALUE)));
        assertThat(longest.echo("x").value()).isEqualTo("x");
        assertThat(longest.deadline().value()).isEqualTo("none");

        Gate forever = Hermod.withOptions(client.proxy(Gate.class, "gate"),
                o -> o.withTimeout(ChronoUnit.FOREVER.getDuration()));
        assertThat(forever.echo("y")).isEqualTo("y");

        Gate yearLong = Hermod.withOptions(client.proxy(Gate.class, "gate"), o -> o.withTimeout(Duration.ofDays(365)));
        assertThat(yearLong.deadline()).as("longer than the wire's field: sent as no deadline").isEqualTo("none");

        Client patient = client(Hermod.client().callTimeout(Duration.ofSeconds(Long.MAX_VALUE)));
        assertThat(patient.proxy(Gate.class, "gate").echo("z")).isEqualTo("z");
        assertThat(patient.invoke("gate", "echo", "dynamic").value()).isEqualTo("dynamic");

        AsyncResult<String> r = longest.echo("expiring");
        assertThat((Object) r.expireAfter(Duration.ofSeconds(Long.MAX_VALUE))).isSameAs(r);
        assertThat(r.value()).isEqualTo("expiring");
    }

    @Test
    void withoutDeadline_servantSeesNone_andCallsStillCancel() throws Exception {
        CallOptions none = CallOptions.defaults().withoutDeadline();
        assertThat(none.timeout()).contains(ChronoUnit.FOREVER.getDuration());
        assertThat(none).isEqualTo(CallOptions.defaults().withTimeout(ChronoUnit.FOREVER.getDuration()));
        assertThat(none.withTimeout(Duration.ofSeconds(1)).timeout()).contains(Duration.ofSeconds(1));

        Gate.Async unbounded = Hermod.withOptions(gate, CallOptions::withoutDeadline);
        assertThat(unbounded.deadline().value()).isEqualTo("none");
        Gate.Async bounded = Hermod.withOptions(gate, o -> o.withTimeout(Duration.ofMinutes(1)));
        assertThat(bounded.deadline().value()).startsWith("PT");

        AsyncResult<Void> held = unbounded.hold(7, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.held.contains(7));
        held.expireAfter(Duration.ofMillis(50));
        assertThat(held.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        assertThat(held.isExpired()).isTrue();
        assertThat(held.error()).get().isInstanceOf(dev.hermod.InvocationTimeoutException.class);
    }

    // ---- item 7 ----

    @Test
    void flushHandles_areResults_withSentStateAndConnection() throws Exception {
        assertThat(gate.echo("connect").value()).isEqualTo("connect");
        Connection connection = client.connections().get(0);
        Gate.Async batch = Hermod.batch(gate);
        batch.note("one");
        AsyncResult<String> two = batch.echo("two");

        AsyncResult<Void> flush = Hermod.flushAsync(batch);
        assertThat(flush.isSent()).as("handed to the transport within the call").isTrue();
        assertThat(flush.sentSynchronously()).isTrue();
        assertThat(flush.value()).isNull();
        assertThat(flush.connection()).contains(connection);
        assertThat(flush.remoteAddress()).contains(connection.remoteAddress());
        assertThat(flush.proxy()).containsSame(batch);
        assertThat(flush.service()).isEqualTo("gate");
        assertThat(flush.operation()).isEqualTo("flushBatches");
        assertThat(flush.client()).containsSame(client);
        assertThat(two.value()).isEqualTo("two");

        batch.note("three");
        AsyncResult<Void> all = client.flushBatchesAsync();
        assertThat(all.waitForSent(Duration.ofSeconds(10))).isTrue();
        assertThat(all.value()).isNull();
        assertThat(all.connection()).contains(connection);

        batch.note("four");
        AsyncResult<Void> over = connection.flushBatchesAsync();
        assertThat(over.value()).isNull();
        assertThat(over.isSent()).isTrue();
        assertThat(over.connection()).contains(connection);

        AsyncResult<Void> empty = Hermod.flushAsync(batch);
        assertThat(empty.isDone()).as("nothing to send").isTrue();
        assertThat(empty.isSent()).isTrue();
        assertThat(empty.sentSynchronously()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.notes.equals(List.of("one", "three", "four")));

        assertThat(flush.cancel()).as("a flush cannot be withdrawn").isFalse();
    }

    @Test
    void flushHandle_heldBackByFlowControl_notSentUntilTheNetworkTakesIt() throws Exception {
        try (Server slow = Hermod.server().host("127.0.0.1").maxInFlightPerConnection(1).add("gate", Gate.class, impl)
                .start();
                Client c = Hermod.client().target("tcp://127.0.0.1:" + slow.port()).build()) {
            Gate.Async g = c.proxy(Gate.Async.class, "gate");
            List<AsyncResult<Void>> flood = new ArrayList<>();
            flood.add(Gate.quiet(g.hold(0, new byte[0])));
            await().atMost(Duration.ofSeconds(10)).until(() -> impl.held.contains(0));
            byte[] chunk = new byte[128 * 1024];
            // More waits in the client than the kernel's socket buffers could still take.
            for (int i = 1; i < 2_000 && c.connections().get(0).queuedBytes() < UnsentRequestsTest.BACKLOG; i++) {
                flood.add(Gate.quiet(g.hold(i, chunk)));
            }
            Gate.Async batch = Hermod.batch(g);
            batch.note("behind the flood");
            AsyncResult<Void> flush = Hermod.flushAsync(batch);
            assertThat(flush.isSent()).isFalse();
            CompletableFuture<Boolean> sent = new CompletableFuture<>();
            flush.onSent(sent::complete);

            impl.open();
            assertThat(flush.waitForSent(Duration.ofSeconds(60))).isTrue();
            assertThat(sent.get(10, TimeUnit.SECONDS)).as("sent synchronously").isFalse();
            assertThat(flush.sentSynchronously()).isFalse();
            assertThat(flush.value()).isNull();
            await().atMost(Duration.ofSeconds(30)).until(() -> impl.notes.contains("behind the flood"));
        }
    }

    // ---- item 8 ----

    @Test
    void connection_namesTheConnectionTheCallWentOver() throws Exception {
        AsyncResult<String> r = gate.echo("x");
        assertThat(r.value()).isEqualTo("x");
        Connection connection = r.connection().orElseThrow();
        assertThat(client.connections()).containsExactly(connection);
        assertThat(connection.remoteAddress()).isEqualTo(r.remoteAddress().orElseThrow());
        assertThat(connection.isOpen()).isTrue();

        Gate.Async batch = Hermod.batch(gate);
        batch.note("over the call's connection");
        connection.flushBatches();
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.notes.contains("over the call's connection"));
    }

    @Test
    void connection_emptyUntilTheCallIsAssignedOne() throws Exception {
        Client capped = client(Hermod.client().maxOutstandingPerConnection(1).maxConnections(1));
        Gate.Async g = capped.proxy(Gate.Async.class, "gate");
        AsyncResult<Void> running = g.hold(0, new byte[0]);
        await().atMost(Duration.ofSeconds(10)).until(() -> impl.held.contains(0));
        AsyncResult<String> waiting = g.echo("in line");
        assertThat(waiting.connection()).isEmpty();
        assertThat(running.connection()).isPresent();

        impl.open();
        assertThat(waiting.value()).isEqualTo("in line");
        assertThat(waiting.connection()).isEqualTo(running.connection());
    }
}
