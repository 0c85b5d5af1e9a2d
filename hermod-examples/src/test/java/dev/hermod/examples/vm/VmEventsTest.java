package dev.hermod.examples.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.Hermod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** State-change events: the server calls the clients' {@link VmEvents} objects back. */
final class VmEventsTest {
    private VmLab lab;
    private Client client;
    private VmsAsync vms;

    @BeforeEach
    void start() {
        lab = VmLab.builder().vms(10).latency(Duration.ofMillis(1)).actionTime(Duration.ofMillis(100)).start();
        client = Hermod.client(lab.target());
        vms = client.proxy(VmsAsync.class, VmLab.VMS);
    }

    @AfterEach
    void stop() {
        client.close();
        lab.close();
    }

    /** A client-side listener that keeps what it hears. */
    private static final class Recorder implements VmEvents {
        final List<VmStateChange> heard = new CopyOnWriteArrayList<>();

        @Override
        public void stateChanged(VmStateChange change) {
            heard.add(change);
        }
    }

    private static void awaitCount(Recorder r, int count) {
        await().atMost(5, TimeUnit.SECONDS).until(() -> r.heard.size() >= count);
    }

    @Test
    void subscribe_startThenStop_listenerHearsEveryChangeInOrder() throws Exception {
        Recorder recorder = new Recorder();
        vms.subscribe(recorder).value();

        vms.start("vm-000").value();
        vms.stop("vm-000").value();

        awaitCount(recorder, 4);
        assertThat(recorder.heard)
                .extracting(VmStateChange::vmId, VmStateChange::from, VmStateChange::to, VmStateChange::reason)
                .containsExactly(
                        tuple("vm-000", VmState.DOWN, VmState.POWERING_UP, "start"),
                        tuple("vm-000", VmState.POWERING_UP, VmState.UP, "start"),
                        tuple("vm-000", VmState.UP, VmState.POWERING_DOWN, "stop"),
                        tuple("vm-000", VmState.POWERING_DOWN, VmState.DOWN, "stop"));
        assertThat(recorder.heard).isEqualTo(vms.history("vm-000").value());
    }

    @Test
    void watch_serverRestartsOnTheSamePort_listenerIsSubscribedAgainAndHearsTheNewServer() throws Exception {
        Recorder recorder = new Recorder();
        int port = lab.port();
        try (VmWatch watch = VmWatch.start(lab.target(), recorder)) {
            vms.start("vm-000").value();
            awaitCount(recorder, 2);

            client.close();
            lab.close(); // the server goes, and with it its reference to the listener
            lab = VmLab.builder().vms(10).latency(Duration.ofMillis(1)).actionTime(Duration.ofMillis(100))
                    .port(port).start();
            client = Hermod.client(lab.target());
            vms = client.proxy(VmsAsync.class, VmLab.VMS);
            await().atMost(20, TimeUnit.SECONDS).until(() -> watch.subscriptions() == 2);

            vms.start("vm-000").value(); // on the new server, where it is down again
            awaitCount(recorder, 4);
            assertThat(recorder.heard).extracting(VmStateChange::vmId, VmStateChange::to).containsExactly(
                    tuple("vm-000", VmState.POWERING_UP), tuple("vm-000", VmState.UP),
                    tuple("vm-000", VmState.POWERING_UP), tuple("vm-000", VmState.UP));
            assertThat(recorder.heard.get(3).at()).isAfter(recorder.heard.get(1).at());
        }
    }

    @Test
    void subscribe_sameListenerTwice_hearsEachChangeOnce() throws Exception {
        Recorder recorder = new Recorder();
        vms.subscribe(recorder).value();
        vms.subscribe(recorder).value();

        vms.suspend("vm-001").value();

        awaitCount(recorder, 2);
        Thread.sleep(200); // a duplicate would arrive right behind the second change
        assertThat(recorder.heard).extracting(VmStateChange::to)
                .containsExactly(VmState.SAVING_STATE, VmState.SUSPENDED);
    }

    @Test
    void unsubscribe_listenerHearsNothingMore() throws Exception {
        Recorder recorder = new Recorder();
        Recorder witness = new Recorder();
        vms.subscribe(recorder).value();
        vms.subscribe(witness).value();
        vms.start("vm-003").value();
        awaitCount(recorder, 2);

        vms.unsubscribe(recorder).value();
        vms.stop("vm-003").value();

        awaitCount(witness, 4); // the changes were delivered, to the listener still subscribed
        assertThat(recorder.heard).hasSize(2);
    }

    @Test
    void severalClients_eachHearsTheChanges() throws Exception {
        try (Client other = Hermod.client(lab.target())) {
            Recorder first = new Recorder();
            Recorder second = new Recorder();
            vms.subscribe(first).value();
            other.proxy(VmsAsync.class, VmLab.VMS).subscribe(second).value();

            vms.start("vm-006").value();

            awaitCount(first, 2);
            awaitCount(second, 2);
            assertThat(second.heard).isEqualTo(first.heard);
        }
    }

    @Test
    void subscriberGone_othersStillHearTheChanges() throws Exception {
        Recorder gone = new Recorder();
        Client leaving = Hermod.client(lab.target());
        leaving.proxy(VmsAsync.class, VmLab.VMS).subscribe(gone).value();
        Recorder staying = new Recorder();
        vms.subscribe(staying).value();
        leaving.close();

        vms.start("vm-009").value();
        vms.stop("vm-009").value();

        awaitCount(staying, 4);
        assertThat(gone.heard).isEmpty();
    }
}
