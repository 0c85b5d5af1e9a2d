package dev.hermod;

import static dev.hermod.FaultWire.GET_NAME_99;
import static dev.hermod.FaultWire.KEN;
import static dev.hermod.FaultWire.bytes;
import static dev.hermod.FaultWire.frame;
import static dev.hermod.FaultWire.frameHeader;
import static dev.hermod.FaultWire.preamble;
import static dev.hermod.FaultWire.request;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Peers that break the wire protocol, over real TCP: a server must close only the offending
 * connection (after a GOAWAY that says why) and go on serving everyone else; a request that is
 * merely wrong gets a failure reply on a connection that stays open; a client facing a server
 * that is not a Hermod server of its version fails its call at once with a
 * {@link ProtocolException}.
 */
@Timeout(value = 60, unit = SECONDS)
final class ProtocolAbuseTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int MAX_FRAME = 64 * 1024;
    private static final int PROTOCOL_ERROR = 9;

    private final Semaphore slowEchoes = new Semaphore(0);
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private Server server;
    private Client bystander;
    private Employees employees;

    @BeforeEach
    void startServerAndBystander() throws Exception {
        server = Hermod.server()
                .host("127.0.0.1")
                .maxFrameSize(MAX_FRAME)
                .add("employees", Employees.class, new FaultEmployees(value -> slowEchoes.release()))
                .start();
        bystander = Hermod.client("tcp://127.0.0.1:" + server.port());
        employees = bystander.proxy(Employees.class, "employees");
        assertThat(employees.getName(99)).isEqualTo("Ken"); // connected before any abuse
    }

    @AfterEach
    void stop() throws Exception {
        callers.shutdownNow();
        bystander.close();
        server.shutdownNow();
        assertThat(server.awaitTermination(BOUND)).isTrue();
    }

    // ---- a broken peer: its connection is closed, nobody else's ----

    @Test
    void frameStalledHalfway_belowTheMinimumReadRate_closesOnlyThatConnection() throws Exception {
        try (Server strict = Hermod.server().host("127.0.0.1").minReadRate(1_000, Duration.ofMillis(200))
                        .add("employees", Employees.class, new FaultEmployees()).start();
                Client other = Hermod.client("tcp://127.0.0.1:" + strict.port());
                FaultSocket raw = FaultSocket.connect(strict.port())) {
            Employees e = other.proxy(Employees.class, "employees");
            raw.send(preamble(1), frameHeader(50_000, FaultWire.REQUEST, 0), new byte[100]);
            assertThat(raw.readPreamble()).isEqualTo(1);
            long t0 = System.nanoTime();

            List<FaultWire.Frame> frames = raw.readUntilClosed();

            assertThat(frames).noneMatch(f -> f.type() == FaultWire.GOAWAY);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(BOUND);
            assertThat(e.getName(99)).isEqualTo("Ken");
        }
    }

    @Test
    void frameStalledHalfway_withoutAMinimumReadRate_staysOpen() throws Exception {
        try (Server lenient = Hermod.server().host("127.0.0.1").minReadRate(0, Duration.ZERO)
                        .add("employees", Employees.class, new FaultEmployees()).start();
                FaultSocket raw = FaultSocket.connect(lenient.port())) {
            raw.send(preamble(1), frameHeader(50_000, FaultWire.REQUEST, 0), new byte[100]);
            assertThat(raw.readPreamble()).isEqualTo(1);
            raw.send(new byte[100]);
            Thread.sleep(2_500); // the strict server above closes within 1.3 s
            raw.send(new byte[50_000 - 2 - 200]); // the rest: a request for the service named ""

            FaultWire.Reply reply = raw.nextFrame().reply();
            assertThat(reply.outcome()).isEqualTo(FaultWire.OUTCOME_FAILURE);
            assertThat(reply.status()).isEqualTo(5); // SERVICE_NOT_FOUND: served, after all that time
        }
    }

    @Test
    void connect_garbageInsteadOfPreamble_closesOnlyThatConnection() throws Exception {
        whileBystanderCalls(() -> {
            try (FaultSocket raw = FaultSocket.connect(server.port())) {
                raw.send("GET / HTTP/1.1\r\nHost: hermod\r\n\r\n".getBytes(US_ASCII));
                assertThat(raw.readPreamble()).isEqualTo(1);
                assertClosedAfterProtocolError(raw.readUntilClosed(), "HRMD");
            }
        });
    }

    @Test
    void frame_longerThanMaxFrameSize_closesConnectionBeforeBody() throws Exception {
        whileBystanderCalls(() -> {
            try (FaultSocket raw = FaultSocket.connect(server.port())) {
                // Only the header: a server that waited for the 10 MiB body would never close.
                raw.send(preamble(1), frameHeader(10L * 1024 * 1024, FaultWire.REQUEST, 0));
                assertThat(raw.readPreamble()).isEqualTo(1);
                assertClosedAfterProtocolError(raw.readUntilClosed(), String.valueOf(MAX_FRAME));
            }
        });
    }

    static Stream<Arguments> malformedFrames() {
        byte[] truncatedHeader = bytes(0, 0, 0, 7, 0, 0, 0); // request id, then 3 of the 4 timeout bytes
        byte[] truncatedService = FaultWire.concat(bytes(0, 0, 0, 1, 0, 0, 0, 0), // request id, timeout
                bytes(0, 100), "emp".getBytes(US_ASCII)); // a service name of 100 bytes, cut at 3
        return Stream.of(
                Arguments.of(Named.of("length 0", frameHeader(0, FaultWire.PING, 0)), "below the minimum"),
                Arguments.of(Named.of("length 1", frameHeader(1, FaultWire.PING, 0)), "below the minimum"),
                Arguments.of(Named.of("REQUEST cut in its header", frame(FaultWire.REQUEST, 0, truncatedHeader)),
                        "truncated"),
                Arguments.of(Named.of("REQUEST cut in its service name",
                        frame(FaultWire.REQUEST, 0, truncatedService)), "truncated"),
                Arguments.of(Named.of("PING without its payload", frame(FaultWire.PING, 0, bytes(1, 2, 3))),
                        "truncated"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFrames")
    void frame_malformed_closesOnlyThatConnection(byte[] malformed, String mention) throws Exception {
        whileBystanderCalls(() -> {
            try (FaultSocket raw = FaultSocket.connect(server.port())) {
                raw.send(preamble(1), malformed);
                assertThat(raw.readPreamble()).isEqualTo(1);
                assertClosedAfterProtocolError(raw.readUntilClosed(), mention);
            }
        });
    }

    /**
     * As implemented since the AsyncResult commit, a frame of unknown type is skipped (frame types
     * added to version 1 are ones an older peer may skip), not a protocol error; docs/PROTOCOL.md
     * still calls it one.
     */
    @Test
    void frame_unknownType_isSkippedAndConnectionKeepsServing() throws Exception {
        try (FaultSocket raw = FaultSocket.connect(server.port())) {
            raw.send(preamble(1), frame(0x55, 0, new byte[0]), frame(0x56, 0x80, bytes(1, 2, 3, 4, 5)));
            assertThat(raw.readPreamble()).isEqualTo(1);

            assertConnectionStillServes(raw, 1);
        }
    }

    @Test
    void connect_otherProtocolVersion_getsPreambleThenGoAwayNamingBothVersions() throws Exception {
        whileBystanderCalls(() -> {
            try (FaultSocket raw = FaultSocket.connect(server.port())) {
                raw.send(preamble(99));
                assertThat(raw.readPreamble()).as("the server's own version").isEqualTo(1);
                FaultWire.GoAway goAway = assertClosedAfterProtocolError(raw.readUntilClosed());
                assertThat(goAway.message()).containsPattern("version 99\\b").containsPattern("version 1\\b");
            }
        });
    }

    // ---- a broken server: the client's call fails at once ----

    @Test
    void call_serverSpeaksOtherVersion_failsWithProtocolExceptionNamingVersion() throws Exception {
        try (FaultRawServer fake = new FaultRawServer(preamble(99), true);
                Client client = Hermod.client(fake.target())) {
            Employees e = client.proxy(Employees.class, "employees");

            Throwable failure = assertTimeoutPreemptively(BOUND, () -> catchThrowable(() -> e.getName(99)));

            assertThat(failure).isInstanceOf(ProtocolException.class).hasMessageContaining("99");
            // The client also told the fake server why it hung up.
            FaultWire.Sent sent = sentBy(fake);
            assertThat(sent.version()).isEqualTo(1);
            assertThat(sent.frames()).last().satisfies(f -> {
                assertThat(f.goAway().status()).isEqualTo(PROTOCOL_ERROR);
                assertThat(f.goAway().message()).contains("99");
            });
        }
    }

    @Test
    void call_serverIsNotHermod_failsWithProtocolException() throws Exception {
        byte[] http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(US_ASCII);
        try (FaultRawServer fake = new FaultRawServer(http, true);
                Client client = Hermod.client(fake.target())) {
            Employees e = client.proxy(Employees.class, "employees");

            Throwable failure = assertTimeoutPreemptively(BOUND, () -> catchThrowable(() -> e.getName(99)));

            assertThat(failure).isInstanceOf(ProtocolException.class).hasMessageContaining("HRMD");
            assertThat(sentBy(fake).frames()).last().satisfies(
                    f -> assertThat(f.goAway().status()).isEqualTo(PROTOCOL_ERROR));
        }
    }

    /**
     * The fake servers above answer only once they have the request, so the request is written
     * before the bad bytes arrive. Here they answer at once: once the client's I/O thread is up,
     * the connection completes on it, the caller's thread then queues the request, and the I/O
     * thread reads the bad bytes and closes the channel before it gets to that write. The failed
     * write fails the call in RpcConnection.send with a generic "could not send" ConnectionException
     * before onClose can fail it with the ProtocolException the link recorded.
     */
    @Test
    void request_unknownService_failsThatRequestAndKeepsConnection() throws Exception {
        try (FaultSocket raw = FaultSocket.connect(server.port())) {
            raw.send(preamble(1), request(1, "nosuch", "getName", GET_NAME_99));
            assertThat(raw.readPreamble()).isEqualTo(1);

            assertFailureReply(raw.nextFrame(), 1, Status.SERVICE_NOT_FOUND, "nosuch");
            assertConnectionStillServes(raw, 2);
        }
    }

    @Test
    void request_operationNotInContract_failsThatRequestAndKeepsConnection() throws Exception {
        try (FaultSocket raw = FaultSocket.connect(server.port())) {
            // secret() is public on the servant's class, but not part of the Employees contract.
            raw.send(preamble(1), request(1, "employees", "secret", bytes(0x80)));
            assertThat(raw.readPreamble()).isEqualTo(1);

            assertFailureReply(raw.nextFrame(), 1, Status.OPERATION_NOT_FOUND, "secret");
            assertConnectionStillServes(raw, 2);
        }
    }

    static Stream<Arguments> undecodableArguments() {
        return Stream.of(
                Arguments.of(Named.of("not CBOR (0xFF)", bytes(0xFF))),
                Arguments.of(Named.of("text \"99\" where int is declared", bytes(0x81, 0x62, '9', '9'))),
                Arguments.of(Named.of("two items for one parameter", bytes(0x82, 0x18, 0x63, 0x01))),
                Arguments.of(Named.of("no array at all, just 99", bytes(0x18, 0x63))),
                Arguments.of(Named.of("no bytes", new byte[0])),
                Arguments.of(Named.of("array cut short", bytes(0x81, 0x18))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("undecodableArguments")
    void request_undecodableArguments_failsWithMarshalUnprocessedAndKeepsConnection(byte[] payload)
            throws Exception {
        try (FaultSocket raw = FaultSocket.connect(server.port())) {
            raw.send(preamble(1), request(1, "employees", "getName", payload));
            assertThat(raw.readPreamble()).isEqualTo(1);

            assertFailureReply(raw.nextFrame(), 1, Status.MARSHAL, "getName");
            assertConnectionStillServes(raw, 2);
        }
    }

    // ---- helpers ----

    interface Abuse {
        void run() throws Exception;
    }

    /**
     * Runs {@code abuse} while a call of a client that connected earlier is in flight, then
     * checks that this call, a later call of the same client and a call of a new client all
     * succeed: the abuse hurt no connection but its own.
     */
    private void whileBystanderCalls(Abuse abuse) throws Exception {
        CompletableFuture<Integer> inFlight = CompletableFuture.supplyAsync(() -> employees.slowEcho(7, 500), callers);
        assertThat(slowEchoes.tryAcquire(BOUND.toSeconds(), SECONDS)).as("slowEcho reached the servant").isTrue();

        abuse.run();

        assertThat(inFlight.get(BOUND.toSeconds(), SECONDS)).as("the call in flight during the abuse").isEqualTo(7);
        assertThat(employees.getName(1)).isEqualTo("Ada");
        try (Client fresh = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            assertThat(fresh.proxy(Employees.class, "employees").getName(2)).isEqualTo("Grace");
        }
    }

    /** Checks that the server's last words were one GOAWAY(PROTOCOL_ERROR) mentioning each string. */
    private static FaultWire.GoAway assertClosedAfterProtocolError(List<FaultWire.Frame> frames, String... mentions) {
        List<FaultWire.Frame> meaningful = frames.stream()
                .filter(f -> f.type() != FaultWire.PING && f.type() != FaultWire.PONG)
                .toList();
        assertThat(meaningful).as("frames the server sent before closing").hasSize(1);
        FaultWire.GoAway goAway = meaningful.get(0).goAway();
        assertThat(goAway.status()).as("GOAWAY status").isEqualTo(PROTOCOL_ERROR);
        for (String m : mentions) {
            assertThat(goAway.message()).contains(m);
        }
        return goAway;
    }

    private static void assertFailureReply(FaultWire.Frame frame, int requestId, Status status, String mention) {
        FaultWire.Reply reply = frame.reply();
        assertThat(reply.requestId()).isEqualTo(requestId);
        assertThat(reply.outcome()).as("outcome").isEqualTo(FaultWire.OUTCOME_FAILURE);
        assertThat(Status.fromCode(reply.status())).isEqualTo(status);
        assertThat(reply.unprocessed()).as("unprocessed flag").isTrue();
        assertThat(reply.message()).contains(mention);
    }

    /** Sends a valid getName(99) on the same raw connection and checks the answer. */
    private static void assertConnectionStillServes(FaultSocket raw, int requestId) throws Exception {
        raw.send(request(requestId, "employees", "getName", GET_NAME_99));
        FaultWire.Reply reply = raw.nextFrame().reply();
        assertThat(reply.requestId()).isEqualTo(requestId);
        assertThat(reply.outcome()).as("outcome").isEqualTo(FaultWire.OUTCOME_RESULT);
        assertThat(reply.payload()).isEqualTo(KEN);
    }

    /** Waits until the client hung up on the fake server and returns what it sent. */
    private static FaultWire.Sent sentBy(FaultRawServer fake) {
        await().atMost(BOUND).until(() -> !fake.connections().isEmpty() && fake.connections().get(0).isClosed());
        return FaultWire.parse(fake.connections().get(0).received());
    }
}
