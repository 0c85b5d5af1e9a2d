package dev.hermod.examples.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The VM lab's services over TCP on loopback. */
final class VmLabTest {
    private VmLab lab;
    private Client client;
    private VmsAsync vms;

    @BeforeEach
    void start() {
        lab = VmLab.builder().vms(10).latency(Duration.ofMillis(1)).actionTime(Duration.ofMillis(200)).start();
        client = Hermod.client(lab.target());
        vms = client.proxy(VmsAsync.class, VmLab.VMS);
    }

    @AfterEach
    void stop() {
        client.close();
        lab.close();
    }

    @Test
    void list_returnsEveryVmInIdOrder() throws Exception {
        List<Vm> all = vms.list().value();

        assertThat(all).extracting(Vm::id).containsExactly(
                "vm-000", "vm-001", "vm-002", "vm-003", "vm-004", "vm-005", "vm-006", "vm-007", "vm-008", "vm-009");
        assertThat(all.get(0)).isEqualTo(new Vm("vm-000", "web-1", VmState.DOWN, 1, 1024, "host-a"));
        assertThat(all.get(1).state()).isEqualTo(VmState.UP);
        assertThat(all.get(3).state()).isEqualTo(VmState.DOWN);
        assertThat(all.get(5).name()).isEqualTo("web-2");
    }

    @Test
    void get_knownId_returnsTheVm() throws Exception {
        assertThat(vms.get("vm-007").value()).isEqualTo(vms.list().value().get(7));
    }

    @Test
    void get_unknownId_throwsNoSuchVmWithTheId() throws Exception {
        assertThatThrownBy(() -> vms.get("vm-999").value())
                .isInstanceOfSatisfying(NoSuchVm.class, e -> assertThat(e.id()).isEqualTo("vm-999"))
                .hasMessage("no VM has id vm-999");
    }

    @Test
    void syncContract_sameServicesAnsweredLater_readsLikeAPlainInterface() throws Exception {
        Vms sync = client.proxy(Vms.class, VmLab.VMS);

        assertThat(sync.list()).isEqualTo(vms.list().value());
        assertThat(sync.get("vm-004")).isEqualTo(vms.get("vm-004").value());
        assertThatThrownBy(() -> sync.get("vm-999")).isInstanceOf(NoSuchVm.class).hasMessage("no VM has id vm-999");
        assertThat(client.proxy(Disks.class, VmLab.DISKS).list("vm-002"))
                .isEqualTo(client.proxy(DisksAsync.class, VmLab.DISKS).list("vm-002").value());
        assertThat(sync.start("vm-006").state()).isEqualTo(VmState.UP); // waits through the whole action
        assertThat(sync.history("vm-006")).extracting(VmStateChange::to)
                .containsExactly(VmState.POWERING_UP, VmState.UP);
    }

    @Test
    void subResources_ofAVm_areListedDeterministically() throws Exception {
        DisksAsync disks = client.proxy(DisksAsync.class, VmLab.DISKS);
        NicsAsync nics = client.proxy(NicsAsync.class, VmLab.NICS);
        PermissionsAsync permissions = client.proxy(PermissionsAsync.class, VmLab.PERMISSIONS);

        assertThat(disks.list("vm-002").value()).containsExactly(
                new Disk("vm-002-disk-1", "cache-1_boot", 20, "cow", true),
                new Disk("vm-002-disk-2", "cache-1_data1", 50, "raw", false),
                new Disk("vm-002-disk-3", "cache-1_data2", 100, "raw", false));
        assertThat(nics.list("vm-001").value()).containsExactly(
                new Nic("vm-001-nic-1", "eth0", "56:6f:00:00:01:01", "ovirtmgmt"),
                new Nic("vm-001-nic-2", "eth1", "56:6f:00:00:01:02", "storage"));
        assertThat(nics.list("vm-002").value()).hasSize(1);
        assertThat(permissions.list("vm-003").value()).containsExactly(
                new Permission("admin@internal", "SuperUser"), new Permission("user3@example.com", "UserVmManager"));
        try (VmLab other = VmLab.start(10, Duration.ZERO); Client c = Hermod.client(other.target())) {
            assertThat(c.proxy(DisksAsync.class, VmLab.DISKS).list("vm-008").value())
                    .isEqualTo(disks.list("vm-008").value());
        }
    }

    @Test
    void subResources_unknownVm_throwNoSuchVm() throws Exception {
        assertThatThrownBy(() -> client.proxy(NicsAsync.class, VmLab.NICS).list("nope").value())
                .isInstanceOf(NoSuchVm.class);
    }

    @Test
    void start_downVm_reportsProgressAndEndsUp() throws Exception {
        List<Progress> reports = new CopyOnWriteArrayList<>();

        AsyncResult<Vm> started = vms.start("vm-000").onProgress(reports::add);

        assertThat(started.value().state()).isEqualTo(VmState.UP);
        await().atMost(5, TimeUnit.SECONDS).until(() -> !reports.isEmpty() && reports.get(reports.size() - 1).percent() == 100);
        List<Integer> percents = reports.stream().map(Progress::percent).toList();
        assertThat(percents).isSorted();
        assertThat(reports.get(reports.size() - 1).message()).isEqualTo("up");
        assertThat(reports).extracting(Progress::message).contains("booting the kernel");
        assertThat(vms.get("vm-000").value().state()).isEqualTo(VmState.UP);
        assertThat(vms.history("vm-000").value())
                .extracting(VmStateChange::from, VmStateChange::to, VmStateChange::reason)
                .containsExactly(
                        tuple(VmState.DOWN, VmState.POWERING_UP, "start"),
                        tuple(VmState.POWERING_UP, VmState.UP, "start"));
    }

    @Test
    void start_upVm_throwsVmStateConflict() throws Exception {
        assertThatThrownBy(() -> vms.start("vm-001").value())
                .isInstanceOfSatisfying(VmStateConflict.class, e -> assertThat(e.state()).isEqualTo(VmState.UP))
                .hasMessage("cannot start vm-001: it is UP");
        assertThat(vms.history("vm-001").value()).isEmpty();
    }

    @Test
    void start_whileStarting_throwsVmStateConflict() throws Exception {
        AsyncResult<Vm> first = vms.start("vm-003");
        await().atMost(5, TimeUnit.SECONDS).until(() -> first.progress().isPresent()); // the server runs it

        assertThatThrownBy(() -> vms.start("vm-003").value())
                .isInstanceOfSatisfying(VmStateConflict.class, e -> assertThat(e.state()).isEqualTo(VmState.POWERING_UP));
        assertThat(first.value().state()).isEqualTo(VmState.UP);
    }

    @Test
    void suspendStartStop_walkThroughTheStates() throws Exception {
        assertThat(vms.suspend("vm-001").value().state()).isEqualTo(VmState.SUSPENDED);
        assertThat(vms.start("vm-001").value().state()).isEqualTo(VmState.UP);
        assertThat(vms.stop("vm-001").value().state()).isEqualTo(VmState.DOWN);

        assertThat(vms.history("vm-001").value()).extracting(VmStateChange::to).containsExactly(
                VmState.SAVING_STATE, VmState.SUSPENDED, VmState.POWERING_UP, VmState.UP,
                VmState.POWERING_DOWN, VmState.DOWN);
        assertThatThrownBy(() -> vms.suspend("vm-001").value()).isInstanceOf(VmStateConflict.class);
    }

    @Test
    void start_canceledMidway_stopsAndRollsTheVmBack() throws Exception {
        try (VmLab slow = VmLab.builder().vms(3).latency(Duration.ofMillis(1)).actionTime(Duration.ofSeconds(1)).start();
                Client c = Hermod.client(slow.target())) {
            VmsAsync slowVms = c.proxy(VmsAsync.class, VmLab.VMS);
            AsyncResult<Vm> started = slowVms.start("vm-000");
            await().atMost(5, TimeUnit.SECONDS)
                    .until(() -> started.progress().map(p -> p.fraction() >= 0.2).orElse(false));

            assertThat(started.cancel()).isTrue();

            assertThatThrownBy(started::value).isInstanceOf(InvocationCanceledException.class);
            await().atMost(5, TimeUnit.SECONDS)
                    .until(() -> slowVms.get("vm-000").value().state() == VmState.DOWN);
            List<VmStateChange> history = slowVms.history("vm-000").value();
            assertThat(history).hasSize(2);
            assertThat(history.get(1).from()).isEqualTo(VmState.POWERING_UP);
            assertThat(history.get(1).reason()).startsWith("start canceled at ");
            // The rest of the action never runs: the VM stays down after the action would have ended.
            Thread.sleep(1_000);
            assertThat(slowVms.get("vm-000").value().state()).isEqualTo(VmState.DOWN);
            assertThat(slowVms.history("vm-000").value()).hasSize(2);
        }
    }

    @Test
    void latency_longerThanTheDeadline_callTimesOut() throws Exception {
        try (VmLab slow = VmLab.start(3, Duration.ofSeconds(30)); Client c = Hermod.client(slow.target())) {
            VmsAsync slowVms = Hermod.withOptions(c.proxy(VmsAsync.class, VmLab.VMS),
                    o -> o.withTimeout(Duration.ofMillis(200)));

            assertThatThrownBy(() -> slowVms.get("vm-001").value()).isInstanceOf(InvocationTimeoutException.class);
        }
    }

    @Test
    void builder_negativeLatency_isRejected() {
        assertThatThrownBy(() -> VmLab.builder().latency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency");
    }

    @Test
    void fanOut_everySubResourceAtOnceOverSeveralConnections_allAnswered() throws Exception {
        try (Client pooled = Hermod.client().target(lab.target()).connections(4).build()) {
            DisksAsync disks = pooled.proxy(DisksAsync.class, VmLab.DISKS);
            NicsAsync nics = pooled.proxy(NicsAsync.class, VmLab.NICS);
            PermissionsAsync permissions = pooled.proxy(PermissionsAsync.class, VmLab.PERMISSIONS);
            List<AsyncResult<? extends List<?>>> calls = new ArrayList<>();
            for (Vm vm : pooled.proxy(VmsAsync.class, VmLab.VMS).list().value()) {
                calls.add(disks.list(vm.id()));
                calls.add(nics.list(vm.id()));
                calls.add(permissions.list(vm.id()));
            }

            List<List<?>> answers = AsyncResult.<List<?>>all(calls).get(10, TimeUnit.SECONDS);

            assertThat(answers).hasSize(30).allSatisfy(a -> assertThat(a).isNotEmpty());
        }
    }
}
