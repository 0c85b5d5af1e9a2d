package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.internal.runtime.ClientImpl;
import dev.hermod.internal.runtime.ServerImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Object references over real TCP: a server calling back objects a client passed it, and the reverse. */
final class EventsTest {
    private HubImpl hubImpl;
    private Server server;
    private Client client;
    private Hub hub;

    /** The client's callback: records what the server sent, and where it ran. */
    static final class Recorder implements Listener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(String event) {
            events.add(event);
        }

        @Override
        public String echo(String text) {
            threads.add(Thread.currentThread().getName());
            return "client echo of " + text;
        }

        @Override
        public void fail(String message) {
            throw new IllegalStateException("client callback failed: " + message);
        }

        @Override
        public String context(String key) {
            return Current.get().context().get(key);
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    }

    @BeforeEach
    void start() {
        hubImpl = new HubImpl();
        server = Hermod.server().host("127.0.0.1").add("hub", Hub.class, hubImpl).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        hub = client.proxy(Hub.class, "hub");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static int exported(Client c) {
        return ((ClientImpl) c).peer().exportedObjects();
    }

    private int serverImported() {
        return ((ServerImpl) server).peer().importedReferences();
    }

    @Test
    void server_callsClientBackSynchronously_overTheClientsConnection() {
        Recorder recorder = new Recorder();

        assertThat(hub.callBack(recorder, "hi")).isEqualTo("server got client echo of hi");
        assertThat(recorder.threads).singleElement().asString().startsWith("hermod-client-dispatch");
        assertThat(client.connections()).hasSize(1); // no connection from server to client
        assertThat(exported(client)).isEqualTo(1);
    }

    @Test
    void onewayEvents_arriveInTheOrderSent() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);

        assertThat(hub.publish(2000)).isEqualTo(1);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            expected.add("event " + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 2000);
        assertThat(recorder.events).containsExactlyElementsOf(expected);
    }

    @Test
    void sameObjectPassedTwice_isTheSameProxyOnTheServer() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        hub.subscribe(recorder);

        assertThat(hubImpl.listeners).hasSize(1);
        hub.unsubscribe(recorder);
        assertThat(hubImpl.listeners).isEmpty();
        // Sent twice, released once with a count of two: nothing stays exported.
        await().atMost(Duration.ofSeconds(5)).until(() -> exported(client) == 0);
        assertThat(serverImported()).isZero();
    }

    @Test
    void exceptionInClientCallback_reachesServerCallerWithRemoteTrace() {
        String caught = hub.provokeFailure(new Recorder());

        assertThat(caught).startsWith("RemoteException|")
                .contains("client callback failed: boom")
                .contains("java.lang.IllegalStateException")
                .contains("EventsTest$Recorder.fail");
    }

    @Test
    void serverCallsCarryContextAndDeadlines() throws Exception {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        Listener held = hubImpl.listeners.iterator().next();

        assertThat(Hermod.withOptions(held, o -> o.withContext("tenant", "blue")).context("tenant")).isEqualTo("blue");
        Listener impatient = Hermod.withOptions(held, o -> o.withTimeout(Duration.ofMillis(100)));
        assertThatThrownBy(() -> impatient.sleep(5_000)).isInstanceOf(InvocationTimeoutException.class);
    }

    @Test
    void serverCallsAsynchronously_withAsyncResult() throws Exception {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        Listener held = hubImpl.listeners.iterator().next();

        ListenerAsync async = Hermod.as(held, ListenerAsync.class);
        AsyncResult<String> r = async.echo("later");
        assertThat(r.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("client echo of later");
        assertThat(r.client()).isEmpty();
    }

    @Test
    void clientGone_serverCallFailsCleanly() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        Listener held = hubImpl.listeners.iterator().next();
        client.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> serverImported() == 0);
        assertThatThrownBy(() -> held.echo("anyone?")).isInstanceOf(ConnectionException.class)
                .hasMessageContaining("is closed");
        assertThat(Hermod.oneway(held)).isNotNull();
        assertThatThrownBy(() -> Hermod.oneway(held).onEvent("lost")).isInstanceOf(ConnectionException.class);
    }

    @Test
    void releasedReference_failsWithObjectNotFound() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        Listener held = hubImpl.listeners.iterator().next();

        Hermod.release(held);

        assertThatThrownBy(() -> held.echo("x")).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("released");
        await().atMost(Duration.ofSeconds(5)).until(() -> exported(client) == 0);
    }

    @Test
    void revokedObject_failsOnTheServerWithObjectNotFound() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        Listener held = hubImpl.listeners.iterator().next();

        assertThat(Hermod.revoke(recorder)).isEqualTo(1);

        assertThatThrownBy(() -> held.echo("x")).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("not exported");
        assertThat(exported(client)).isZero();
    }

    @Test
    void proxyCopies_withTheSameModeAndOptions_areEqual() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        Listener held = hubImpl.listeners.iterator().next();

        assertThat(Hermod.oneway(held)).isEqualTo(Hermod.oneway(held)).hasSameHashCodeAs(Hermod.oneway(held));
        assertThat(Hermod.oneway(held)).isNotEqualTo(held);
        assertThat(client.proxy(Hub.class, "hub")).isEqualTo(hub);
        assertThat(client.proxy(Hub.class, "other")).isNotEqualTo(hub);
        assertThat(Hermod.batch(hub)).isNotEqualTo(Hermod.batch(hub)); // each has its own queue
    }

    @Test
    void referencePassedBack_isTheOriginalObject() {
        Recorder recorder = new Recorder();
        assertThat(hub.same(recorder)).isSameAs(recorder);
    }

    @Test
    void serverObjectReturnedByReference_isCalledAndPassedBack() {
        Counter counter = hub.newCounter();

        assertThat(counter.increment()).isEqualTo(1);
        assertThat(counter.increment()).isEqualTo(2);
        assertThat(hub.read(counter)).isEqualTo(3); // the server receives its own object
        assertThat(((ServerImpl) server).peer().exportedObjects()).isEqualTo(1);
    }

    @Test
    void manualServing_receivesNothingUntilItPolls_thenEverythingInOrder() throws Exception {
        try (Client manual = Hermod.client().target("tcp://127.0.0.1:" + server.port()).manualServing().build()) {
            Hub viaManual = manual.proxy(Hub.class, "hub");
            Recorder recorder = new Recorder();
            viaManual.subscribe(recorder);

            viaManual.publish(50); // the server has written all 50 when this returns
            Thread.sleep(300);
            assertThat(recorder.events).isEmpty();

            int served = 0;
            while (served < 50) {
                int n = manual.poll(Duration.ofSeconds(5));
                assertThat(n).isPositive();
                served += n;
            }
            assertThat(served).isEqualTo(50);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                expected.add("event " + i);
            }
            assertThat(recorder.events).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void serverBatchesEventsToClient_inOrder() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);

        hub.publishBatch(100);

        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 100);
        assertThat(recorder.events).first().isEqualTo("batched 0");
        assertThat(recorder.events).last().isEqualTo("batched 99");
    }

    @Test
    void referenceDroppedByServer_isReleasedWhenItsProxyIsCollected() {
        Recorder recorder = new Recorder();
        hub.subscribe(recorder);
        hub.forget(recorder);

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            System.gc();
            return exported(client) == 0;
        });
        assertThat(serverImported()).isZero();
    }

    @Test
    void proxyToAThirdServer_isPassedOnAndForwards() {
        Recorder onB = new Recorder();
        try (Server b = Hermod.server().host("127.0.0.1").add("listener", Listener.class, onB).start();
                Client toB = Hermod.client("tcp://127.0.0.1:" + b.port())) {
            Listener remote = toB.proxy(Listener.class, "listener");

            assertThat(hub.callBack(remote, "via B")).isEqualTo("server got client echo of via B");
            assertThat(onB.threads).hasSize(1);
        }
    }

    @Test
    void batchProxy_refusesOperationsPassingReferences() {
        Hub batch = Hermod.batch(hub);
        assertThatThrownBy(() -> batch.subscribe(new Recorder())).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("object reference");
    }

    @Test
    void connectionChurn_leavesNothingExportedOnEitherSide() {
        for (int cycle = 0; cycle < 1000; cycle++) {
            Client c = Hermod.client("tcp://127.0.0.1:" + server.port());
            try (c) {
                Hub h = c.proxy(Hub.class, "hub");
                Recorder recorder = new Recorder();
                h.subscribe(recorder);
                assertThat(exported(c)).isEqualTo(1);
                if (cycle % 2 == 0) { // half unsubscribe; the others just disconnect
                    h.unsubscribe(recorder);
                    // The server's release precedes its reply on the connection: usually already done.
                    await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                            .until(() -> exported(c) == 0);
                }
            }
            assertThat(exported(c)).isZero(); // closing the connection ends what it carried
        }
        hub.publish(1); // drops the subscribers whose clients have gone

        await().atMost(Duration.ofSeconds(10)).until(() -> serverImported() == 0);
        assertThat(hubImpl.listeners).isEmpty();
        assertThat(((ServerImpl) server).peer().exportedObjects()).isZero();
    }

    @Test
    void poll_onBackgroundClient_isAUsageError() {
        assertThatThrownBy(() -> client.poll()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("manualServing");
    }
}
