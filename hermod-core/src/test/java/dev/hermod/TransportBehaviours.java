package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a user relies on, whatever carries the calls: run over TCP on loopback
 * ({@link TcpBehavioursTest}) and in process ({@link InProcessBehavioursTest}) with the same
 * assertions, so that an in-process test of an application says what the application will do
 * over the network.
 */
abstract class TransportBehaviours {
    /** An employees servant whose slow echo tells when a cancel interrupted it. */
    static final class Interruptible extends EmployeesImpl {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public int slowEcho(int value, long sleepMillis) {
            started.countDown();
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw new IllegalStateException("interrupted", e);
            }
            return value;
        }
    }

    private final Interruptible employees = new Interruptible();
    private final HubImpl hubImpl = new HubImpl();
    private Server server;
    private Client client;

    /** Sets where the server listens: a loopback port, or an in-process name. */
    abstract Server.Builder listen(Server.Builder builder);

    /** The scheme {@link Server#target()} must have. */
    abstract String scheme();

    @BeforeEach
    void start() {
        server = listen(Hermod.server()).add("employees", Employees.class, employees).add("hub", Hub.class, hubImpl)
                .start();
        client = Hermod.client(server.target());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void target_namesTheTransport() {
        assertThat(server.target()).startsWith(scheme() + "://");
        assertThat(client.target()).hasToString(server.target());
    }

    @Test
    void syncCall_returnsTheValue_andDeclaredExceptionsKeepTheirType() throws Exception {
        Employees proxy = client.proxy(Employees.class, "employees");

        assertThat(proxy.getName(1)).isEqualTo("Ada");
        assertThat(proxy.names()).containsExactly("Ada", "Grace", "Ken");
        assertThatThrownBy(() -> proxy.getName(7)).isInstanceOf(NoSuchEmployee.class);
        assertThatThrownBy(() -> proxy.fail("boom")).isInstanceOf(RemoteException.class).hasMessageContaining("boom");
    }

    @Test
    void asyncCall_completesTheResult_andReportsItSent() throws Exception {
        EmployeesAsync proxy = client.proxy(EmployeesAsync.class, "employees");
        CompletableFuture<Boolean> sent = new CompletableFuture<>();

        AsyncResult.Throwing<String, NoSuchEmployee> result = proxy.getName(2);
        result.onSent(sent::complete);

        assertThat(result.value()).isEqualTo("Grace");
        assertThat(result.isSent()).isTrue();
        assertThat(sent.get(5, TimeUnit.SECONDS)).isNotNull();
        assertThatThrownBy(() -> proxy.getName(8).value()).isInstanceOf(NoSuchEmployee.class);
    }

    @Test
    void deadline_failsTheCall_withTheTimeoutType() {
        Employees proxy = client.proxy(Employees.class, "employees",
                CallOptions.defaults().withTimeout(Duration.ofMillis(200)));

        assertThatThrownBy(() -> proxy.slowEcho(1, 10_000)).isInstanceOf(InvocationTimeoutException.class);
    }

    @Test
    void cancel_reachesTheServant() throws Exception {
        EmployeesAsync proxy = client.proxy(EmployeesAsync.class, "employees");
        AsyncResult<Integer> result = proxy.slowEcho(1, 30_000);
        assertThat(employees.started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(result.cancel()).isTrue();

        assertThat(employees.interrupted.await(10, TimeUnit.SECONDS)).as("servant interrupted").isTrue();
        assertThatThrownBy(result::value).isInstanceOf(InvocationCanceledException.class);
    }

    @Test
    void onewayCall_runs() {
        Hub hub = client.proxy(Hub.class, "hub");
        EventsTest.Recorder recorder = new EventsTest.Recorder();
        hub.subscribe(recorder);

        Hermod.oneway(hub).unsubscribe(recorder);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(hub.subscribers()).isEmpty());
    }

    @Test
    void batch_sendsItsCallsWhenFlushed() {
        Hub hub = client.proxy(Hub.class, "hub");
        EventsTest.Recorder recorder = new EventsTest.Recorder();
        hub.subscribe(recorder);
        Hub batch = Hermod.batch(hub);

        batch.publishBatch(2);
        batch.publishBatch(3);
        assertThat(recorder.events).isEmpty();
        Hermod.flush(batch);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(recorder.events).hasSize(5));
        hub.unsubscribe(recorder);
    }

    @Test
    void callback_runsOnACallbackThread_notAnIoThread() {
        Hub hub = client.proxy(Hub.class, "hub");
        EventsTest.Recorder recorder = new EventsTest.Recorder();

        assertThat(hub.callBack(recorder, "ping")).isEqualTo("server got client echo of ping");
        assertThat(recorder.threads).singleElement().asString().doesNotContain("-io-");
    }

    @Test
    void events_reachTheSubscriber() {
        Hub hub = client.proxy(Hub.class, "hub");
        EventsTest.Recorder recorder = new EventsTest.Recorder();
        hub.subscribe(recorder);

        assertThat(hub.publish(3)).isEqualTo(1);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(recorder.events).hasSize(3));
        hub.unsubscribe(recorder);
    }

    @Test
    void serverGoingAway_failsTheCallInFlight_promptly() throws Exception {
        EmployeesAsync proxy = client.proxy(EmployeesAsync.class, "employees");
        AsyncResult<Integer> pending = proxy.slowEcho(1, 30_000);
        assertThat(employees.started.await(10, TimeUnit.SECONDS)).isTrue();

        server.shutdownNow();

        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RpcException.class);
    }

    @Test
    void context_reachesTheServant() {
        Employees proxy = client.proxy(Employees.class, "employees",
                CallOptions.defaults().withContext("tenant", "blue"));

        assertThat(proxy.whoAmI()).contains("employees/whoAmI").contains("tenant=blue");
    }
}
