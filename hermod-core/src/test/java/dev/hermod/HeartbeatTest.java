package dev.hermod;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Heartbeats, over real TCP: a peer that falls silent is presumed dead after three intervals and
 * its calls fail long before their timeout; a peer that is merely idle keeps its connection.
 */
@Timeout(value = 60, unit = SECONDS)
final class HeartbeatTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final Duration INTERVAL = Duration.ofMillis(250); // a silent peer is dropped after 3 of them

    @Test
    void call_serverSilentAfterHandshake_failsAsPresumedDeadBeforeCallTimeout() throws Exception {
        try (FaultRawServer silent = new FaultRawServer(FaultWire.preamble(1));
                Client client = Hermod.client()
                        .target(silent.target())
                        .heartbeatInterval(INTERVAL)
                        .callTimeout(Duration.ofSeconds(30))
                        .build()) {
            Employees e = client.proxy(Employees.class, "employees");

            // BOUND is a third of the call timeout: only the heartbeat can end the call in time.
            Throwable failure = assertTimeoutPreemptively(BOUND, () -> catchThrowable(() -> e.getName(99)));

            assertThat(failure).isInstanceOf(ConnectionException.class).hasMessageContaining("presumed dead");
            assertThat(((RpcException) failure).isUnprocessed()).as("the request was sent").isFalse();
            await().atMost(BOUND)
                    .until(() -> !silent.connections().isEmpty() && silent.connections().get(0).isClosed());
            List<FaultWire.Frame> sent = FaultWire.parse(silent.connections().get(0).received()).frames();
            assertThat(sent).extracting(FaultWire.Frame::type)
                    .as("the client asked before it gave up")
                    .contains(FaultWire.REQUEST, FaultWire.PING);
        }
    }

    @Test
    void server_clientSilentAfterHandshake_closesConnection() throws Exception {
        try (Server server = Hermod.server()
                        .host("127.0.0.1")
                        .heartbeatInterval(INTERVAL)
                        .add("employees", Employees.class, new FaultEmployees())
                        .start();
                FaultSocket raw = FaultSocket.connect(server.port())) {
            raw.send(FaultWire.preamble(1)); // and then never another byte, not even a PONG

            assertThat(raw.readPreamble()).isEqualTo(1);
            List<FaultWire.Frame> frames = raw.readUntilClosed();

            assertThat(frames).extracting(FaultWire.Frame::type).as("the server pinged before it gave up")
                    .contains(FaultWire.PING);
        }
    }

    @Test
    void call_afterIdlePeriodWithHeartbeats_usesSameConnection() throws Exception {
        try (Server server = Hermod.server()
                        .host("127.0.0.1")
                        .heartbeatInterval(INTERVAL)
                        .add("employees", Employees.class, new FaultEmployees())
                        .start();
                Client client = Hermod.client()
                        .target("tcp://127.0.0.1:" + server.port())
                        .heartbeatInterval(INTERVAL)
                        .build()) {
            Employees e = client.proxy(Employees.class, "employees");
            String before = peerOf(e.whoAmI());

            // Idle for ten intervals, more than three times the time after which a silent peer is dropped.
            Thread.sleep(10 * INTERVAL.toMillis());

            assertThat(peerOf(e.whoAmI())).as("the client's address as the server sees it").isEqualTo(before);
        }
    }

    @Test
    void serverPausingReadingLongerThanThreeIntervals_keepsTheConnection() throws Exception {
        try (Server server = Hermod.server()
                        .host("127.0.0.1")
                        .heartbeatInterval(INTERVAL)
                        .maxInFlightPerConnection(1)
                        .add("jobs", Jobs.class, new JobsImpl())
                        .start();
                Client client = Hermod.client()
                        .target("tcp://127.0.0.1:" + server.port())
                        .heartbeatInterval(INTERVAL)
                        .build();
                Client other = TestServers.client(server)) {
            AsyncJobsTest.JobsAsync jobs = client.proxy(AsyncJobsTest.JobsAsync.class, "jobs");
            // One request in dispatch is the most: the server stops reading this connection, and
            // the client's next request and its PINGs wait unread, for longer than the silence
            // after which a peer is presumed dead. The server is the slow side: it keeps the link.
            AsyncResult<String> first = jobs.later("first");
            AsyncResult<String> second = jobs.later("second");
            Thread.sleep(8 * INTERVAL.toMillis());

            Jobs control = other.proxy(Jobs.class, "jobs");
            control.release("first");
            control.release("second");
            assertThat(first.value()).isEqualTo("released first");
            assertThat(second.value()).isEqualTo("released second");
            assertThat(client.connections()).hasSize(1);
        }
    }

    /** Answers with as many bytes as asked for. */
    @Remote
    public interface Big {
        byte[] bytes(int size);
    }

    @Test
    void server_clientNeverReadingItsReplies_closesConnectionDespitePausedReading() throws Exception {
        try (Server server = Hermod.server()
                        .host("127.0.0.1")
                        .heartbeatInterval(INTERVAL)
                        .add("big", Big.class, size -> new byte[size])
                        .start();
                FaultSocket raw = FaultSocket.connect(server.port())) {
            raw.send(FaultWire.preamble(1));
            assertThat(raw.readPreamble()).isEqualTo(1);
            // 24 requests for 1 MiB each, and then not a byte read: the replies fill the socket
            // buffers, the server stops reading this client (it does not read its replies), and
            // the client stays silent. Paused reading must not hide a peer that takes nothing.
            byte[] oneMebibyte = FaultWire.bytes(0x81, 0x1A, 0x00, 0x10, 0x00, 0x00); // CBOR [1048576]
            for (int id = 1; id <= 24; id++) {
                raw.send(FaultWire.request(id, "big", "bytes", oneMebibyte));
            }
            Thread.sleep(6 * INTERVAL.toMillis()); // the 6 intervals it takes

            // Still not reading (that would let the server's output move): small writes succeed
            // while the server holds the connection open, and fail once it has closed it.
            byte[] ping = FaultWire.frame(FaultWire.PING, 0, new byte[8]);
            long deadline = System.nanoTime() + FaultSocket.BOUND.toNanos();
            boolean closed = false;
            while (!closed && System.nanoTime() - deadline < 0) {
                try {
                    raw.send(ping);
                    Thread.sleep(50);
                } catch (java.io.IOException e) {
                    closed = true;
                }
            }
            assertThat(closed).as("the server closed the connection of a client that took nothing").isTrue();
        }
    }

    /** The client address in {@link FaultEmployees#whoAmI()}: different on every new connection. */
    private static String peerOf(String whoAmI) {
        assertThat(whoAmI).contains(" peer=");
        return whoAmI.substring(whoAmI.indexOf(" peer=") + " peer=".length());
    }
}
