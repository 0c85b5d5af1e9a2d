package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.intercept.CallOutcome;
import dev.hermod.intercept.ClientCall;
import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.intercept.Interceptor;
import dev.hermod.intercept.ServerCall;
import dev.hermod.intercept.ServerInterceptor;
import dev.hermod.internal.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Client and server interceptors over real TCP, for every kind of call. */
final class InterceptorsTest {
    private Server server;
    private Client client;

    /** Records what it sees, as "name side event detail", and whether any callback ran on an I/O thread. */
    static final class Recorder implements ClientInterceptor, ServerInterceptor {
        final String name;
        final List<String> seen;
        final List<String> ioThreadCallbacks = new CopyOnWriteArrayList<>();

        Recorder(String name, List<String> seen) {
            this.name = name;
            this.seen = seen;
        }

        private void where(String event) {
            if (Transport.onIoThread()) {
                ioThreadCallbacks.add(event + " on " + Thread.currentThread().getName());
            }
        }

        @Override
        public void onStart(ClientCall call) {
            where("client onStart");
            call.attributes().put(this, Thread.currentThread());
            seen.add(name + " client start " + call.service() + "." + call.operation() + " " + call.kind()
                    + (call.onReference() ? " ref" : ""));
            call.putContext("via-" + name, "yes");
        }

        @Override
        public void onComplete(ClientCall call, CallOutcome outcome) {
            where("client onComplete");
            seen.add(name + " client end " + call.operation() + " " + outcome.code());
        }

        @Override
        public void onStart(ServerCall call) {
            where("server onStart");
            call.attributes().put(this, Thread.currentThread());
            seen.add(name + " server start " + call.service() + "." + call.operation()
                    + (call.isOneway() ? " oneway" : "") + (call.onReference() ? " ref" : ""));
            call.putContext("seen-by-" + name, "yes");
        }

        @Override
        public void onServantExit(ServerCall call) {
            seen.add(name + " server exit " + call.operation()
                    + (call.attributes().get(this) == Thread.currentThread() ? "" : " ON ANOTHER THREAD"));
        }

        @Override
        public void onComplete(ServerCall call, CallOutcome outcome) {
            where("server onComplete");
            seen.add(name + " server end " + call.operation() + " " + outcome.code());
        }
    }

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final Recorder a = new Recorder("A", seen);
    private final Recorder b = new Recorder("B", seen);

    private void start(Object... interceptors) {
        Server.Builder sb = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl())
                .add("hub", Hub.class, new HubImpl());
        Client.Builder cb = Hermod.client();
        for (Object i : interceptors) {
            sb.intercept((Interceptor) i);
            cb.intercept((Interceptor) i);
        }
        server = sb.start();
        client = cb.target("tcp://127.0.0.1:" + server.port()).build();
    }

    @AfterEach
    void stop() {
        stop(client, server, a, b);
    }

    /** Closes what was started and checks that no recorder's callback ran on an I/O thread. */
    static void stop(Client client, Server server, Recorder... recorders) {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        for (Recorder r : recorders) {
            assertThat(r.ioThreadCallbacks).isEmpty();
        }
    }

    private List<String> seenBy(String prefix) {
        return seenBy(seen, prefix);
    }

    /** What {@code seen} holds that starts with {@code prefix}, in order. */
    static List<String> seenBy(List<String> seen, String prefix) {
        return seen.stream().filter(s -> s.startsWith(prefix)).toList();
    }

    @Test
    void sync_call_isSeenInOrderOnBothSides_andContextEntriesReachTheServant() throws Exception {
        start(a, b);
        String who = client.proxy(Employees.class, "employees").whoAmI();

        assertThat(who).contains("via-A=yes", "via-B=yes", "seen-by-A=yes", "seen-by-B=yes");
        assertThat(seen.stream().filter(s -> s.contains(" client ")).toList()).containsExactly(
                "A client start employees.whoAmI SYNC",
                "B client start employees.whoAmI SYNC",
                "B client end whoAmI OK",
                "A client end whoAmI OK");
        // The reply is decided inside the servant's call: before its exit, which may follow the reply.
        await().untilAsserted(() -> assertThat(seen.stream().filter(s -> s.contains(" server ")).toList())
                .containsExactly(
                        "A server start employees.whoAmI",
                        "B server start employees.whoAmI",
                        "B server end whoAmI OK",
                        "A server end whoAmI OK",
                        "B server exit whoAmI",
                        "A server exit whoAmI"));
        assertThat(seen.indexOf("B server end whoAmI OK")).isLessThan(seen.indexOf("B client end whoAmI OK"));
    }

    @Test
    void async_call_outcomeIsSeenBeforeTheResultCompletes_declaredExceptionsAndStatusesAreTold() throws Exception {
        start(a);
        EmployeesAsync e = client.proxy(EmployeesAsync.class, "employees");
        assertThat(e.getName(1).get()).isEqualTo("Ada");
        assertThat(seenBy("A client")).containsExactly("A client start employees.getName ASYNC",
                "A client end getName OK");

        seen.clear();
        assertThatThrownBy(() -> e.getName(404).get()).hasCauseInstanceOf(NoSuchEmployee.class);
        assertThat(seenBy("A client end")).containsExactly("A client end getName DECLARED_EXCEPTION");
        assertThat(seenBy("A server end")).containsExactly("A server end getName DECLARED_EXCEPTION");

        seen.clear();
        assertThatThrownBy(() -> e.fail("boom").get()).hasCauseInstanceOf(RemoteException.class);
        assertThat(seenBy("A client end")).containsExactly("A client end fail REMOTE_FAILURE");
        assertThat(seenBy("A server end")).containsExactly("A server end fail REMOTE_FAILURE");
    }

    @Test
    void oneway_call_isSeenOnBothSides() throws Exception {
        start(a);
        Employees oneway = Hermod.oneway(client.proxy(Employees.class, "employees"));
        oneway.fail("nobody listens");

        assertThat(seenBy("A client")).containsExactly("A client start employees.fail ONEWAY",
                "A client end fail OK");
        await().untilAsserted(() -> assertThat(seenBy("A server end")).containsExactly("A server end fail REMOTE_FAILURE"));
        assertThat(seenBy("A server start")).containsExactly("A server start employees.fail oneway");
    }

    @Test
    void batched_calls_areSeenWhenQueuedAndServedWhenFlushed() throws Exception {
        start(a);
        EmployeesAsync batch = Hermod.batch(client.proxy(EmployeesAsync.class, "employees"));
        AsyncResult<String> name = batch.getName(99);
        batch.rename(1, "Ada L.");
        assertThat(seenBy("A server")).isEmpty();
        Hermod.flush(batch);

        assertThat(name.get()).isEqualTo("Ken");
        assertThat(seenBy("A client start")).containsExactly("A client start employees.getName BATCHED",
                "A client start employees.rename BATCHED");
        await().untilAsserted(() -> assertThat(seenBy("A server end"))
                .containsExactlyInAnyOrder("A server end getName OK", "A server end rename OK"));
        assertThat(seenBy("A client end")).contains("A client end getName OK");
    }

    @Test
    void serverToClient_callsOnReferences_areSeenByTheServersClientSideAndTheClientsServerSide() {
        start(a);
        Hub hub = client.proxy(Hub.class, "hub");
        String answer = hub.callBack(new EventsTest.Recorder(), "hi");

        assertThat(answer).isEqualTo("server got client echo of hi");
        assertThat(seen).containsSubsequence(
                "A client start hub.callBack SYNC",
                "A server start hub.callBack",
                "A client start Listener.echo SYNC ref",
                "A server start Listener.echo ref",
                "A server end echo OK",
                "A client end echo OK",
                "A server end callBack OK",
                "A client end callBack OK");
    }

    @Test
    void clientShortCircuit_answersWithoutSending_laterInterceptorsSeeNothing() throws Exception {
        ClientInterceptor cache = new ClientInterceptor() {
            @Override
            public void onStart(ClientCall call) {
                if (call.operation().equals("getName")) {
                    call.respond("cached");
                } else if (call.operation().equals("rename")) {
                    call.fail(new NoSuchEmployee(7));
                }
            }
        };
        start(a, cache, b);
        Employees e = client.proxy(Employees.class, "employees");

        assertThat(e.getName(1)).isEqualTo("cached");
        assertThat(client.proxy(EmployeesAsync.class, "employees").getName(1).get()).isEqualTo("cached");
        assertThatThrownBy(() -> e.rename(1, "x")).isInstanceOf(NoSuchEmployee.class);
        assertThat(seen).containsExactly(
                "A client start employees.getName SYNC", "A client end getName OK",
                "A client start employees.getName ASYNC", "A client end getName OK",
                "A client start employees.rename SYNC", "A client end rename DECLARED_EXCEPTION");
    }

    /**
     * An asynchronous call an interceptor answers settles on two threads at once (the caller's,
     * and the callback executor's): the one that loses the race to report the outcome must not
     * complete the result before the interceptors have seen it (seen in CI: the caller went on
     * to its next call before the interceptor's onComplete of this one).
     */
    @Test
    void asyncShortCircuit_interceptorsHaveSeenTheOutcomeWhenTheResultCompletes() throws Exception {
        java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
        ClientInterceptor slowCache = new ClientInterceptor() {
            @Override
            public void onStart(ClientCall call) {
                call.respond("cached");
            }

            @Override
            public void onComplete(ClientCall call, CallOutcome outcome) {
                try {
                    Thread.sleep(5); // widens the window in which the other thread could settle
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                completed.incrementAndGet();
            }
        };
        start(slowCache);
        EmployeesAsync async = client.proxy(EmployeesAsync.class, "employees");
        for (int i = 1; i <= 40; i++) {
            assertThat(async.getName(i).get()).isEqualTo("cached");
            assertThat(completed).as("onComplete of call %d has run when its result completes", i).hasValue(i);
        }
    }

    @Test
    void serverShortCircuit_answersWithoutRunningTheServant_withResultDeclaredExceptionOrStatus() throws Exception {
        ServerInterceptor guard = new ServerInterceptor() {
            @Override
            public void onStart(ServerCall call) {
                switch (call.context().getOrDefault("mode", "")) {
                    case "value" -> call.respond("from the interceptor");
                    case "declared" -> call.fail(new NoSuchEmployee(5));
                    case "status" -> call.fail(Status.SERVICE_NOT_FOUND, "closed for maintenance");
                    default -> { }
                }
            }
        };
        start(a, guard, b);
        Employees e = client.proxy(Employees.class, "employees");

        assertThat(Hermod.withOptions(e, o -> o.withContext("mode", "value")).getName(404))
                .isEqualTo("from the interceptor");
        assertThatThrownBy(() -> Hermod.withOptions(e, o -> o.withContext("mode", "declared")).getName(1))
                .isInstanceOf(NoSuchEmployee.class);
        assertThatThrownBy(() -> Hermod.withOptions(e, o -> o.withContext("mode", "status")).getName(1))
                .isInstanceOf(ServiceNotFoundException.class).hasMessageContaining("closed for maintenance");
        assertThat(seenBy("B server")).isEmpty();
        assertThat(seenBy("A server end")).containsExactly("A server end getName OK",
                "A server end getName DECLARED_EXCEPTION", "A server end getName SERVICE_NOT_FOUND");
    }

    @Test
    void onStart_thatThrows_failsTheCallWithWhatItThrew() {
        ClientInterceptor refuse = new ClientInterceptor() {
            @Override
            public void onStart(ClientCall call) {
                throw new IllegalStateException("refused by policy");
            }
        };
        start(refuse);
        assertThatThrownBy(() -> client.proxy(Employees.class, "employees").names())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("refused by policy");
    }

    @Test
    void clientFail_withStatus_throwsItsSubtype_unprocessed() {
        ClientInterceptor deny = new ClientInterceptor() {
            @Override
            public void onStart(ClientCall call) {
                call.fail(Status.PERMISSION_DENIED, "no token");
            }
        };
        start(a, deny);
        assertThatThrownBy(() -> client.proxy(Employees.class, "employees").names())
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.PERMISSION_DENIED);
                    assertThat(e.isUnprocessed()).isTrue();
                }).hasMessageContaining("no token");
        assertThat(seen).containsExactly("A client start employees.names SYNC", "A client end names PERMISSION_DENIED");
    }

    @Test
    void timeRemaining_isSeenOnBothSides() {
        List<Duration> left = new CopyOnWriteArrayList<>();
        Interceptor deadlines = new DeadlineReader(left);
        start(deadlines);
        Hermod.withOptions(client.proxy(Employees.class, "employees"), o -> o.withTimeout(Duration.ofMinutes(5)))
                .names();
        assertThat(left).hasSize(2).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMinutes(5)));
    }

    private static final class DeadlineReader implements ClientInterceptor, ServerInterceptor {
        private final List<Duration> left;

        DeadlineReader(List<Duration> left) {
            this.left = left;
        }

        @Override
        public void onStart(ClientCall call) {
            left.add(call.timeRemaining().orElseThrow());
        }

        @Override
        public void onStart(ServerCall call) {
            left.add(call.timeRemaining().orElseThrow());
        }
    }
}
