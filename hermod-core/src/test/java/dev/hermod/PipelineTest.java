package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Promise pipelining over real TCP: calls on the object a call has not returned yet are sent at
 * once, run by the server on that object as soon as it exists, and fail with the first call.
 */
public final class PipelineTest {
    @Remote
    public interface Inventory {
        Vm find(String name) throws NoSuchEmployee;

        String version();
    }

    @CompanionOf(Inventory.class)
    public interface InventoryAsync {
        AsyncResult.Throwing<Vm, NoSuchEmployee> find(String name);

        AsyncResult.Throwing<String, RuntimeException> version();
    }

    @Remote
    public interface Vm {
        String name();

        Disks disks();
    }

    @CompanionOf(Vm.class)
    public interface VmAsync {
        AsyncResult.Throwing<String, RuntimeException> name();

        AsyncResult.Throwing<Disks, RuntimeException> disks();
    }

    @Remote
    public interface Disks {
        List<String> list();
    }

    @CompanionOf(Disks.class)
    public interface DisksAsync {
        AsyncResult.Throwing<List<String>, RuntimeException> list();
    }

    /** Finds VMs after {@link #gate} opens; counts what each object runs. */
    static final class InventoryImpl implements Inventory {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger disksCalls = new AtomicInteger();
        final AtomicInteger listCalls = new AtomicInteger();
        /** Calls of find that their cancel interrupted. */
        final AtomicInteger interrupted = new AtomicInteger();
        /** Calls of find that have started. */
        final AtomicInteger entered = new AtomicInteger();

        @Override
        public Vm find(String name) throws NoSuchEmployee {
            entered.incrementAndGet();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet(); // and answers anyway, as a servant that ignores cancels would
            }
            if (name.equals("none")) {
                return null;
            }
            if (name.equals("boom")) {
                throw new IllegalStateException("the inventory is down");
            }
            if (!name.startsWith("web")) {
                throw new NoSuchEmployee("no VM named " + name);
            }
            return new Vm() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public Disks disks() {
                    disksCalls.incrementAndGet();
                    return () -> {
                        listCalls.incrementAndGet();
                        return List.of(name + "-root", name + "-data");
                    };
                }
            };
        }

        @Override
        public String version() {
            return "1";
        }
    }

    private final InventoryImpl inventory = new InventoryImpl();
    private Server server;
    private Relay relay;
    private Client client;

    @BeforeEach
    void start() throws Exception {
        server = Hermod.server().host("127.0.0.1").add("inventory", Inventory.class, inventory).start();
        relay = new Relay(server.port());
        client = Hermod.client("tcp://127.0.0.1:" + relay.port());
        client.proxy(Inventory.class, "inventory").version(); // the connection is up
    }

    @AfterEach
    void stop() throws Exception {
        inventory.gate.countDown();
        if (client != null) {
            client.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void chainOfThree_allSentBeforeTheFirstReply_serverRunsThemOnTheResults() throws Exception {
        InventoryAsync vms = client.proxy(InventoryAsync.class, "inventory");
        long before = relay.toServer();
        AsyncResult<Vm> vm = vms.find("web-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.toServer() > before);
        long findSent = relay.toServer();

        AsyncResult<Disks> disks = Hermod.pipeline(vm, VmAsync.class).disks();
        AsyncResult<List<String>> list = Hermod.pipeline(disks, DisksAsync.class).list();

        // Both requests (27 and 28 bytes) reach the server while the first call still runs, held
        // by the gate: nothing waited for a reply.
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.toServer() >= findSent + 55);
        assertThat(vm.isDone()).isFalse();
        assertThat(disks.isSent()).isTrue();
        assertThat(list.isSent()).isTrue();
        assertThat(inventory.disksCalls).hasValue(0);

        inventory.gate.countDown();
        assertThat(list.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        assertThat(list.value()).containsExactly("web-1-root", "web-1-data");
        assertThat(inventory.disksCalls).hasValue(1);
        assertThat(inventory.listCalls).hasValue(1);
        assertThat(vm.value().name()).isEqualTo("web-1");
    }

    @Test
    void syncProxy_blocksForItsOwnReplyOnly() throws Exception {
        AsyncResult<Vm> vm = client.proxy(InventoryAsync.class, "inventory").find("web-2");
        Vm pipelined = Hermod.pipeline(vm, Vm.class);
        inventory.gate.countDown();
        assertThat(pipelined.name()).isEqualTo("web-2");
        assertThat(pipelined.disks().list()).containsExactly("web-2-root", "web-2-data");
    }

    @Test
    void firstCallFails_everyPipelinedCallFailsWithTheSameException() throws Exception {
        AsyncResult<Vm> vm = client.proxy(InventoryAsync.class, "inventory").find("boom");
        AsyncResult<Disks> disks = Hermod.pipeline(vm, VmAsync.class).disks();
        AsyncResult<List<String>> list = Hermod.pipeline(disks, DisksAsync.class).list();
        Vm syncVm = Hermod.pipeline(vm, Vm.class);
        inventory.gate.countDown();

        assertThat(list.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        Throwable first = vm.error().orElseThrow();
        assertThat(first).isInstanceOf(RemoteException.class).hasMessageContaining("the inventory is down");
        assertThat(disks.error()).containsSame(first);
        assertThat(list.error()).containsSame(first);
        assertThatThrownBy(syncVm::name).isInstanceOf(RemoteException.class)
                .hasMessageContaining("the inventory is down");
        assertThat(inventory.disksCalls).hasValue(0);
    }

    /**
     * A checked exception the first call declares cannot come out of a method that does not
     * declare it: the pipelined calls fail as ObjectNotFoundException (unprocessed), caused by it.
     */
    @Test
    void firstCallThrowsItsDeclaredException_pipelinedCallsCarryItAsTheirCause() throws Exception {
        AsyncResult<Vm> vm = client.proxy(InventoryAsync.class, "inventory").find("db-9");
        AsyncResult<List<String>> list = Hermod.pipeline(Hermod.pipeline(vm, VmAsync.class).disks(),
                DisksAsync.class).list();
        inventory.gate.countDown();

        assertThat(list.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        Throwable first = vm.error().orElseThrow();
        assertThat(first).isInstanceOf(NoSuchEmployee.class).hasMessage("no VM named db-9");
        assertThat(list.error().orElseThrow()).isInstanceOf(ObjectNotFoundException.class)
                .hasCauseReference(first).hasMessageContaining("which failed");
        assertThat(((RpcException) list.error().orElseThrow()).isUnprocessed()).isTrue();
        assertThatThrownBy(() -> Hermod.pipeline(vm, Vm.class).name()).isInstanceOf(ObjectNotFoundException.class)
                .satisfies(e -> assertThat(org.assertj.core.util.Throwables.getRootCause(e)).isSameAs(first));
    }

    @Test
    void cancelingTheFirstCall_cancelsTheChain_andNothingRunsOnTheServer() throws Exception {
        AsyncResult<Vm> vm = client.proxy(InventoryAsync.class, "inventory").find("web-3");
        AsyncResult<Disks> disks = Hermod.pipeline(vm, VmAsync.class).disks();
        AsyncResult<List<String>> list = Hermod.pipeline(disks, DisksAsync.class).list();
        assertThat(disks.waitForSent(Duration.ofSeconds(10))).isTrue();
        // find is running (a cancel that comes before it starts keeps it from running at all)
        await().atMost(Duration.ofSeconds(10)).until(() -> inventory.entered.get() == 1);

        assertThat(vm.cancel()).isTrue();
        assertThat(list.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        assertThat(disks.error()).containsSame(vm.error().orElseThrow());
        assertThat(list.error().orElseThrow()).isInstanceOf(InvocationCanceledException.class);
        // The cancel reaches find, which returns its VM all the same; the server runs nothing on
        // it for the canceled chain, and still serves the connection.
        await().atMost(Duration.ofSeconds(10)).until(() -> inventory.interrupted.get() == 1);
        assertThat(client.proxy(Inventory.class, "inventory").version()).isEqualTo("1");
        assertThat(inventory.disksCalls).hasValue(0);
        assertThat(inventory.listCalls).hasValue(0);
    }

    @Test
    void afterTheFirstCallCompleted_callsGoToTheReferenceItHolds() throws Exception {
        inventory.gate.countDown();
        AsyncResult<Vm> vm = client.proxy(InventoryAsync.class, "inventory").find("web-4");
        assertThat(vm.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        assertThat(Hermod.pipeline(vm, Vm.class).name()).isEqualTo("web-4");
        assertThat(Hermod.pipeline(vm, VmAsync.class).disks().value().list()).hasSize(2);
    }

    @Test
    void aNullResult_failsThePipelinedCallsWithObjectNotFound() {
        AsyncResult<Vm> vm = client.proxy(InventoryAsync.class, "inventory").find("none");
        AsyncResult<String> name = Hermod.pipeline(vm, VmAsync.class).name();
        inventory.gate.countDown();
        assertThatThrownBy(name::value).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("pipelined on ^");
        assertThatThrownBy(() -> Hermod.pipeline(vm, Vm.class).name()).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("is null");
    }

    @Test
    void misuse_isRefusedAtOnce() {
        InventoryAsync vms = client.proxy(InventoryAsync.class, "inventory");
        assertThatThrownBy(() -> Hermod.pipeline(vms.version(), VmAsync.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a @Remote object reference");
        assertThatThrownBy(() -> Hermod.pipeline(vms.find("web-5"), Disks.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("it returns " + Vm.class.getName());
    }

    /** A request for {@code ^k} naming no request of the connection is refused, unprocessed. */
    @Test
    void aTargetNamingNoRequest_isRefusedAsObjectNotFound_unprocessed() {
        inventory.gate.countDown();
        assertThatThrownBy(() -> client.proxy(Vm.class, "^4242").name())
                .isInstanceOfSatisfying(ObjectNotFoundException.class, e -> assertThat(e.isUnprocessed()).isTrue())
                .hasMessageContaining("request 4242 is not being served on this connection");
        assertThatThrownBy(() -> client.proxy(Vm.class, "^x").name())
                .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("names no request");
        assertThat(client.proxy(Inventory.class, "inventory").version()).isEqualTo("1");
    }
}
