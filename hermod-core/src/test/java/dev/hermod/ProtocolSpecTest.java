package dev.hermod;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

// One file, longer than most: it checks docs/PROTOCOL.md section by section, in the document's
// order, against a live peer; one class keeps the byte-level helpers and the order in one place.
/**
 * A minimal Hermod peer written from {@code docs/PROTOCOL.md} alone: a plain socket, frames and
 * the few CBOR bytes it needs encoded by hand, against a real Hermod server (and, once, a real
 * Hermod client). It checks that the document's byte layouts and worked examples are what Hermod
 * actually sends and accepts. Nothing here uses Hermod's protocol or codec classes.
 */
@Timeout(value = 60, unit = SECONDS)
final class ProtocolSpecTest {
    /** Bounds every blocking socket operation. */
    private static final int READ_TIMEOUT_MILLIS = 5_000;

    // PROTOCOL.md section 3.
    private static final String PREAMBLE = "48 52 4d 44 00 01 00 00";
    /** What Hermod sends: the SETTINGS flag set (section 3), then its SETTINGS frame (3.1). */
    private static final String HERMOD_PREAMBLE = "48 52 4d 44 00 01 00 01";
    private static final String HERMOD_SETTINGS =
            "00 00 00 1a 09 00 00 01 01 00 00 00 00 02 00 00 00 01 00 10 00 00 00 01 00 11 00 00 00 01";
    // Section 4.
    private static final int REQUEST = 0x01;
    private static final int REPLY = 0x02;
    private static final int CANCEL = 0x03;
    private static final int PROGRESS = 0x04;
    private static final int BATCH = 0x05;
    private static final int PING = 0x06;
    private static final int PONG = 0x07;
    private static final int GOAWAY = 0x08;
    // Sections 5.1 and 9: bit 0 of REQUEST flags and of batch item flags.
    private static final int ONEWAY = 0x01;
    // Section 6.
    private static final int OUTCOME_RESULT = 0;
    private static final int OUTCOME_EXCEPTION = 1;
    private static final int OUTCOME_FAILURE = 2;
    private static final int UNPROCESSED = 0x01;
    // Section 12.
    private static final int CANCELED = 2;
    private static final int UNAVAILABLE = 4;
    private static final int SERVICE_NOT_FOUND = 5;
    private static final int PROTOCOL_ERROR = 9;
    private static final int OBJECT_NOT_FOUND = 11;

    // Section 18, verbatim.
    private static final String WORKED_REQUEST = "00 00 00 23 01 00 00 00 00 01 00 00 75 30 00 09"
            + " 65 6d 70 6c 6f 79 65 65 73 00 07 67 65 74 4e 61 6d 65 00 00 81 18 63";
    private static final String WORKED_REPLY = "00 00 00 0c 02 00 00 00 00 01 00 81 63 4b 65 6e";
    private static final String WORKED_EXCEPTION_REPLY = "00 00 00 49 02 00 00 00 00 02 01 00 19 64 65 76"
            + " 2e 68 65 72 6d 6f 64 2e 4e 6f 53 75 63 68 45 6d 70 6c 6f 79 65 65 81 a2 67 6d 65 73 73 61 67 65"
            + " 74 6e 6f 20 65 6d 70 6c 6f 79 65 65 20 6e 75 6d 62 65 72 20 35 66 6e 75 6d 62 65 72 05";
    // Section 5.1, verbatim: record(5) oneway.
    private static final String WORKED_ONEWAY = "00 00 00 20 01 01 00 00 00 00 00 00 75 30 00 08"
            + " 72 65 63 6f 72 64 65 72 00 06 72 65 63 6f 72 64 00 00 81 05";
    // Section 18, verbatim: record(1) and record(2) oneway in one BATCH; add(2, 3) two-way, id 7.
    private static final String WORKED_BATCH = "00 00 00 4c 05 00 00 00 00 02 01 00 00 00 1e 00"
            + " 00 00 00 00 00 75 30 00 08 72 65 63 6f 72 64 65 72 00 06 72 65 63 6f 72 64 00 00 81 01 01 00 00"
            + " 00 1e 00 00 00 00 00 00 75 30 00 08 72 65 63 6f 72 64 65 72 00 06 72 65 63 6f 72 64 00 00 81 02";
    private static final String WORKED_BATCH_ADD = "00 00 00 27 05 00 00 00 00 01 00 00 00 00 1c 00"
            + " 00 00 07 00 00 75 30 00 08 72 65 63 6f 72 64 65 72 00 03 61 64 64 00 00 82 02 03";
    private static final String WORKED_BATCH_ADD_REPLY = "00 00 00 09 02 00 00 00 00 07 00 81 05";
    // Section 9.
    private static final String EMPTY_BATCH = "00 00 00 06 05 00 00 00 00 00";
    // Section 25, verbatim: release object 3, received twice.
    private static final String WORKED_RELEASE = "00 00 00 20 01 01 00 00 00 00 00 00 75 30"
            + " 00 06 68 65 72 6d 6f 64 00 07 72 65 6c 65 61 73 65 00 00 82 03 02";

    private static Server server;

    @BeforeAll
    static void startServer() {
        server = Hermod.server().host("127.0.0.1")
                .add("employees", Employees.class, new EmployeesImpl())
                .add("jobs", Jobs.class, new JobsImpl())
                .add("hub", Hub.class, new HubImpl())
                .add("buffers", Buffers.class, new Buffers.Impl())
                .start();
    }

    /** Section 30's example: {@code sum} of a 5-byte buffer sent as a segment, verbatim. */
    @Test
    void segments_theDocumentedRequest_isServed() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(hex("00 00 00 25 01 20 00 00 00 01 00 00 00 00 00 07 62 75 66 66 65 72 73 00 03 73 75 6D"
                    + " 00 00 00 00 00 02 81 05 01 02 03 04 05"));

            // [1017925], the checksum Buffers.sum computes of 01 02 03 04 05
            assertThat(toHex(peer.readFrame().raw())).isEqualTo("00 00 00 0d 02 00 00 00 00 01 00 81 1a 00 0f 88 45");
        }
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void reference_resultIsObjectNumber_calledAsAtN_andReleasedWithTheSpecBytes() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            for (int id = 1; id <= 3; id++) { // three counters: objects 1, 2 and 3 of this connection
                peer.write(request(id, 30_000, "hub", "newCounter", Map.of(), hex("80")));
                assertThat(toHex(peer.readFrame().raw()))
                        .isEqualTo("00 00 00 09 02 00 00 00 00 0" + id + " 00 81 0" + id);
            }
            peer.write(request(4, 30_000, "@3", "increment", Map.of(), hex("80")));
            assertThat(toHex(peer.readFrame().raw())).isEqualTo("00 00 00 09 02 00 00 00 00 04 00 81 01");

            peer.write(hex(WORKED_RELEASE));
            peer.write(request(5, 30_000, "@3", "increment", Map.of(), hex("80")));
            Failure failure = Failure.read(peer.readFrame(), 5);
            assertThat(failure.status()).isEqualTo(OBJECT_NOT_FOUND);
            assertThat(failure.flags() & UNPROCESSED).isEqualTo(UNPROCESSED);

            // Object 1 is still exported; and a number handed back (-1) is the server's own object.
            peer.write(request(6, 30_000, "hub", "read", Map.of(), hex("81 20")));
            assertThat(toHex(peer.readFrame().raw())).isEqualTo("00 00 00 09 02 00 00 00 00 06 00 81 01");
        }
    }

    @Test
    void release_workedExample_isWhatTheEncoderBuilds() {
        assertThat(toHex(frame(REQUEST, ONEWAY, requestBody(0, 30_000, "hermod", "release", Map.of(),
                hex("82 03 02"))))).isEqualTo(WORKED_RELEASE);
    }

    @Test
    void preamble_onConnect_serverAnswersWithVersion1PreambleAndItsSettings() throws IOException {
        try (Peer peer = Peer.connect(server.port())) {
            peer.write(hex(PREAMBLE));

            assertThat(toHex(peer.readExactly(8))).isEqualTo(HERMOD_PREAMBLE);
            assertThat(toHex(peer.readFrame().raw())).as("MAX_FRAME_SIZE 16 MiB, COMPRESSION LZ4, STREAMS").isEqualTo(HERMOD_SETTINGS);
        }
    }

    /** Section 3.1: a peer may announce settings too; the conversation goes on as usual. */
    @Test
    void settings_fromPeer_acceptedAndConnectionWorks() throws IOException {
        try (Peer peer = Peer.connect(server.port())) {
            peer.write(hex(HERMOD_PREAMBLE + " 00 00 00 0e 09 00 00 01 00 00 04 00 7f 7f 00 00 00 01"));
            assertThat(toHex(peer.readExactly(8))).isEqualTo(HERMOD_PREAMBLE);
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(HERMOD_SETTINGS);

            peer.write(hex(WORKED_REQUEST)); // an unknown entry (id 0x7f7f) was skipped
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(WORKED_REPLY);
        }
    }

    @Test
    void settings_announcedButFirstFrameIsNotSettings_protocolError() throws IOException {
        try (Peer peer = Peer.connect(server.port())) {
            peer.write(hex(HERMOD_PREAMBLE));
            peer.write(hex(WORKED_REQUEST));
            assertThat(toHex(peer.readExactly(8))).isEqualTo(HERMOD_PREAMBLE);
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(HERMOD_SETTINGS);

            GoAway goAway = GoAway.read(peer.readFrame());
            assertThat(goAway.status()).isEqualTo(PROTOCOL_ERROR);
            assertThat(goAway.message()).contains("SETTINGS");
            peer.assertEndOfStream();
        }
    }

    @Test
    void settings_limitBelowTheMinimum_protocolError() throws IOException {
        try (Peer peer = Peer.connect(server.port())) {
            peer.write(hex(HERMOD_PREAMBLE + " 00 00 00 08 09 00 00 01 00 00 03 ff"));
            assertThat(toHex(peer.readExactly(8))).isEqualTo(HERMOD_PREAMBLE);
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(HERMOD_SETTINGS);

            GoAway goAway = GoAway.read(peer.readFrame());
            assertThat(goAway.status()).isEqualTo(PROTOCOL_ERROR);
            assertThat(goAway.message()).contains("1023");
            peer.assertEndOfStream();
        }
    }

    @Test
    void request_workedExampleFromSpec_isWhatTheEncoderBuilds() {
        byte[] built = request(1, 30_000, "employees", "getName", Map.of(), hex("81 18 63"));

        assertThat(toHex(built)).isEqualTo(WORKED_REQUEST);
    }

    @Test
    void getName_99_repliesKenWithTheSpecBytes() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(hex(WORKED_REQUEST));

            assertThat(toHex(peer.readFrame().raw())).isEqualTo(WORKED_REPLY);
        }
    }

    @Test
    void getName_unknownEmployee_repliesDeclaredExceptionMap() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(request(2, 30_000, "employees", "getName", Map.of(), hex("81 05")));

            Frame frame = peer.readFrame();
            ByteBuffer body = frame.body();
            assertThat(frame.type()).isEqualTo(REPLY);
            assertThat(u32(body)).isEqualTo(2);
            assertThat(u8(body)).isEqualTo(OUTCOME_EXCEPTION);
            assertThat(str16(body)).isEqualTo("dev.hermod.NoSuchEmployee");
            assertThat(Cbor.decodeAll(body)).isEqualTo(
                    List.of(Map.of("message", "no employee number 5", "number", 5L)));
            assertThat(toHex(frame.raw())).isEqualTo(WORKED_EXCEPTION_REPLY);
        }
    }

    @Test
    void request_unknownService_failsServiceNotFoundUnprocessed() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(request(3, 30_000, "nobody", "getName", Map.of(), hex("81 05")));

            Failure failure = Failure.read(peer.readFrame(), 3);
            assertThat(failure.status()).isEqualTo(SERVICE_NOT_FOUND);
            assertThat(failure.flags() & UNPROCESSED).isEqualTo(UNPROCESSED);
            assertThat(failure.message()).contains("nobody");
            assertThat(failure.hasTraceback()).isFalse();
        }
    }

    @Test
    void request_undeclaredException_failsRemoteFailureWithTraceback() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(request(4, 30_000, "employees", "fail", Map.of(), hex("81 64 62 6f 6f 6d"))); // ["boom"]

            Failure failure = Failure.read(peer.readFrame(), 4);
            assertThat(failure.status()).isEqualTo(8);
            assertThat(failure.flags() & UNPROCESSED).isZero();
            assertThat(failure.hasTraceback()).isTrue();
            Traceback trace = Traceback.read(failure.rest());
            assertThat(trace.className()).isEqualTo("java.lang.IllegalStateException");
            assertThat(trace.message()).isEqualTo("boom");
            assertThat(trace.frames()).anySatisfy(f -> assertThat(f).startsWith("dev.hermod.EmployeesImpl.fail("));
            assertThat(trace.cause().className()).isEqualTo("java.lang.ArithmeticException");
            assertThat(trace.cause().message()).isEqualTo("root cause");
            assertThat(failure.rest().hasRemaining()).isFalse();
        }
    }

    @Test
    void ping_anyPayload_answeredByPongWithSamePayload() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(hex("00 00 00 0a 06 00 de ad be ef 01 02 03 04"));

            Frame pong = peer.readFrame();
            assertThat(pong.type()).isEqualTo(PONG);
            assertThat(toHex(pong.raw())).isEqualTo("00 00 00 0a 07 00 de ad be ef 01 02 03 04");
        }
    }

    @Test
    void requests_pipelinedOnOneSocket_bothAnsweredMatchedById() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            // slowEcho(7, 300) first, so that the second reply is likely to overtake it.
            both.writeBytes(request(0x8000_0001L, 30_000, "employees", "slowEcho", Map.of(), hex("82 07 19 01 2c")));
            both.writeBytes(request(11, 30_000, "employees", "getName", Map.of(), hex("81 18 63")));
            peer.write(both.toByteArray());

            Map<Long, Object> results = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                Frame frame = peer.readFrame();
                ByteBuffer body = frame.body();
                assertThat(frame.type()).isEqualTo(REPLY);
                long id = u32(body);
                assertThat(u8(body)).isEqualTo(OUTCOME_RESULT);
                results.put(id, Cbor.decodeAll(body).get(0));
            }
            assertThat(results).containsOnly(Map.entry(0x8000_0001L, 7L), Map.entry(11L, "Ken"));
        }
    }

    @Test
    void request_withContextAndNoArguments_servantSeesContext() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(request(5, 30_000, "employees", "whoAmI", Map.of("k", "v"), hex("80")));

            Frame frame = peer.readFrame();
            ByteBuffer body = frame.body();
            assertThat(u32(body)).isEqualTo(5);
            assertThat(u8(body)).isEqualTo(OUTCOME_RESULT);
            assertThat(Cbor.decodeAll(body)).containsExactly("employees/whoAmI ctx={k=v} deadline=true");
        }
    }

    @Test
    void request_voidOperation_repliesArrayOfNull() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(request(6, 0, "employees", "rename", Map.of(), hex("82 18 63 63 4b 65 6e"))); // [99, "Ken"]

            assertThat(toHex(peer.readFrame().raw())).isEqualTo("00 00 00 09 02 00 00 00 00 06 00 81 f6");
        }
    }

    @Test
    void preamble_otherVersion_preambleThenGoAwayProtocolErrorThenClose() throws IOException {
        try (Peer peer = Peer.connect(server.port())) {
            peer.write(hex("48 52 4d 44 00 02 00 00"));

            assertThat(toHex(peer.readExactly(8))).isEqualTo(HERMOD_PREAMBLE);
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(HERMOD_SETTINGS);
            GoAway goAway = GoAway.read(peer.readFrame());
            assertThat(goAway.status()).isEqualTo(PROTOCOL_ERROR);
            assertThat(goAway.message()).contains("version 2");
            peer.assertEndOfStream();
        }
    }

    /** Section 4.1: frame types the receiver does not know are skipped. */
    @Test
    void frame_unknownType_ignoredAndConnectionKeepsWorking() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(hex("00 00 00 05 40 00 01 02 03")); // type 0x40, 3 body bytes
            peer.write(hex("00 00 00 02 7f 07")); // another unknown type, no body, flags ignored

            peer.write(hex(WORKED_REQUEST));
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(WORKED_REPLY);
        }
    }

    /** Section 7: a CANCEL for a request the receiver is not dispatching is ignored. */
    @Test
    void cancel_unknownOrAnsweredRequestId_ignored() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(cancel(0x7777)); // never sent
            peer.write(hex(WORKED_REQUEST));
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(WORKED_REPLY);

            peer.write(cancel(1)); // already answered
            peer.write(request(2, 30_000, "employees", "getName", Map.of(), hex("81 18 63")));
            Frame frame = peer.readFrame();
            ByteBuffer body = frame.body();
            assertThat(frame.type()).isEqualTo(REPLY);
            assertThat(u32(body)).isEqualTo(2);
            assertThat(u8(body)).isEqualTo(OUTCOME_RESULT);
            assertThat(Cbor.decodeAll(body)).containsExactly("Ken");
        }
    }

    /**
     * Sections 7 and 8: a running request reports PROGRESS; after CANCEL it still gets exactly one
     * REPLY, soon, and no PROGRESS after it.
     */
    @Test
    void cancel_runningRequest_progressThenOneReplyCanceledOrEarlyResult() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(request(21, 30_000, "jobs", "run", Map.of(), hex("82 18 c8 14"))); // run(200, 20): 4 s

            ProgressFrame first = ProgressFrame.read(peer.readFrame());
            assertThat(first.requestId()).isEqualTo(21);
            assertThat(first.message()).matches("step \\d+ of 200");
            int step = Integer.parseInt(first.message().split(" ")[1]);
            assertThat(first.fraction()).isBetween(0.0, 1.0).isEqualTo((step - 1) / 200.0);

            long canceledAt = System.nanoTime();
            peer.write(cancel(21));

            Frame frame = peer.readFrame();
            while (frame.type() == PROGRESS) {
                ProgressFrame more = ProgressFrame.read(frame);
                assertThat(more.requestId()).isEqualTo(21);
                frame = peer.readFrame();
            }
            Duration replyAfter = Duration.ofNanos(System.nanoTime() - canceledAt);
            assertThat(frame.type()).isEqualTo(REPLY);
            ByteBuffer body = frame.body();
            assertThat(u32(body)).isEqualTo(21);
            int outcome = u8(body);
            if (outcome == OUTCOME_FAILURE) {
                Failure failure = Failure.read(frame, 21);
                assertThat(failure.status()).isEqualTo(CANCELED);
                assertThat(failure.flags() & UNPROCESSED).as("it was running").isZero();
            } else {
                assertThat(outcome).isEqualTo(OUTCOME_RESULT);
                assertThat(Cbor.decodeAll(body)).singleElement().asString().matches("(canceled|interrupted) .*");
            }
            assertThat(replyAfter).isLessThan(Duration.ofSeconds(2));

            // Nothing for request 21 after its REPLY: the next frame answers this PING.
            peer.write(hex("00 00 00 0a 06 00 01 02 03 04 05 06 07 08"));
            assertThat(toHex(peer.readFrame().raw())).isEqualTo("00 00 00 0a 07 00 01 02 03 04 05 06 07 08");
        }
    }

    /**
     * Sections 8 and 21: a PROGRESS fraction outside [0, 1] is a protocol error, and a REQUEST
     * that follows it, though already received, is not acted on.
     */
    @Test
    void progress_fractionAboveOne_goAwayProtocolErrorAndLaterFramesDropped() throws Exception {
        JobsImpl jobs = new JobsImpl();
        Server own = Hermod.server().host("127.0.0.1").add("jobs", Jobs.class, jobs).start();
        try (Peer peer = Peer.handshake(own.port())) {
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(progress(1, 1.5, "too far"));
            both.writeBytes(request(1, 30_000, "jobs", "run", Map.of(), hex("82 01 00"))); // run(1, 0)
            peer.write(both.toByteArray());

            GoAway goAway = GoAway.read(peer.readFrame());
            assertThat(goAway.status()).isEqualTo(PROTOCOL_ERROR);
            assertThat(goAway.message()).contains("1.5");
            peer.assertEndOfStream();
        } finally {
            own.shutdownNow();
            assertThat(own.awaitTermination(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(jobs.started).as("runs of the dropped REQUEST").hasValue(0);
    }

    /**
     * Section 20: after GOAWAY, new requests are refused as unprocessed and the server waits for
     * the peer to close; once it has, the server terminates without waiting for the grace period.
     */
    @Test
    void shutdown_afterGoAway_refusesRequestsUnprocessedAndTerminatesOncePeerCloses() throws Exception {
        Server own = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl()).start();
        try {
            try (Peer peer = Peer.handshake(own.port())) {
                own.shutdown();

                GoAway goAway = GoAway.read(peer.readFrame());
                assertThat(goAway.status()).isEqualTo(UNAVAILABLE);
                assertThat(goAway.message()).isEqualTo("the server is shutting down");

                peer.write(request(1, 30_000, "employees", "getName", Map.of(), hex("81 18 63")));
                Failure failure = Failure.read(peer.readFrame(), 1);
                assertThat(failure.status()).isEqualTo(UNAVAILABLE);
                assertThat(failure.flags() & UNPROCESSED).isEqualTo(UNPROCESSED);
                assertThat(failure.hasTraceback()).isFalse();

                // The connection stays open until this side closes it.
                peer.write(hex("00 00 00 0a 06 00 01 02 03 04 05 06 07 08"));
                assertThat(toHex(peer.readFrame().raw())).isEqualTo("00 00 00 0a 07 00 01 02 03 04 05 06 07 08");
                assertThat(own.awaitTermination(Duration.ofMillis(200))).isFalse();
            }
            // Well within the default grace period of 10 seconds.
            assertThat(own.awaitTermination(Duration.ofSeconds(5))).isTrue();
        } finally {
            own.shutdownNow();
        }
    }

    /**
     * Sections 11 and 20: the GOAWAY of a server shutting down says how many two-way requests it
     * took, in the bytes of section 11's example; the next one is refused, unprocessed.
     */
    @Test
    void shutdown_goAwayCountsTheTwoWayRequestsTaken() throws Exception {
        Server own = Hermod.server().host("127.0.0.1").add("employees", Employees.class, new EmployeesImpl()).start();
        try (Peer peer = Peer.handshake(own.port())) {
            for (int id = 1; id <= 5; id++) {
                peer.write(request(id, 30_000, "employees", "getName", Map.of(), hex("81 18 63")));
                assertThat(peer.readFrame().type()).isEqualTo(REPLY);
            }
            own.shutdown();

            Frame frame = peer.readFrame();
            assertThat(toHex(frame.raw())).isEqualTo("00 00 00 25 08 00 00 04 00 1b "
                    + toHex("the server is shutting down".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    + " 00 00 00 05");
            assertThat(GoAway.read(frame).taken()).isEqualTo(5);
            peer.write(request(6, 30_000, "employees", "getName", Map.of(), hex("81 18 63")));
            Failure failure = Failure.read(peer.readFrame(), 6);
            assertThat(failure.status()).isEqualTo(UNAVAILABLE);
            assertThat(failure.flags() & UNPROCESSED).isEqualTo(UNPROCESSED);
        } finally {
            own.shutdownNow();
        }
    }

    /** Section 20: a peer that never closes is closed by the server when the grace period ends. */
    @Test
    void shutdown_peerNeverCloses_serverClosesAfterGracePeriod() throws Exception {
        Server own = Hermod.server().host("127.0.0.1").shutdownGracePeriod(Duration.ofMillis(500))
                .add("employees", Employees.class, new EmployeesImpl()).start();
        try (Peer peer = Peer.handshake(own.port())) {
            long start = System.nanoTime();
            own.shutdown();

            GoAway goAway = GoAway.read(peer.readFrame());
            assertThat(goAway.status()).isEqualTo(UNAVAILABLE);
            peer.assertEndOfStream();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
            assertThat(own.awaitTermination(Duration.ofSeconds(5))).isTrue();
        } finally {
            own.shutdownNow();
        }
    }

    /** The symmetric direction (sections 1 and 23): a Hermod client answers a REQUEST it receives. */
    @Test
    void request_toHermodClient_failsServiceNotFoundUnprocessed() throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Client client = Hermod.client("tcp://127.0.0.1:" + listener.getLocalPort())) {
            listener.setSoTimeout(READ_TIMEOUT_MILLIS);
            Employees employees = client.proxy(Employees.class, "employees");
            Future<String> name = caller.submit(() -> employees.getName(99));
            try (Peer peer = Peer.accepted(listener.accept())) {
                assertThat(toHex(peer.readExactly(8))).isEqualTo(HERMOD_PREAMBLE);
                assertThat(toHex(peer.readFrame().raw())).isEqualTo(HERMOD_SETTINGS);
                // The client waits for this side's preamble (no settings here) before its first
                // REQUEST (section 3).
                peer.write(hex(PREAMBLE));
                Frame call = peer.readFrame();
                ByteBuffer body = call.body();
                assertThat(call.type()).isEqualTo(REQUEST);
                long id = u32(body);
                long timeout = u32(body);
                assertThat(id).isNotZero();
                assertThat(timeout).isBetween(1L, 30_000L);
                assertThat(str16(body)).isEqualTo("employees");
                assertThat(str16(body)).isEqualTo("getName");
                assertThat(u16(body)).isZero();
                assertThat(toHex(rest(body))).isEqualTo("81 18 63");

                peer.write(request(1, 0, "anything", "ping", Map.of(), hex("80")));
                Failure failure = Failure.read(peer.readFrame(), 1);
                assertThat(failure.status()).isEqualTo(SERVICE_NOT_FOUND);
                assertThat(failure.flags() & UNPROCESSED).isEqualTo(UNPROCESSED);
                assertThat(failure.hasTraceback()).isFalse();

                ByteArrayOutputStream reply = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(reply);
                out.writeInt(2 + 4 + 1 + 5);
                out.write(new byte[] {REPLY, 0});
                out.writeInt((int) id);
                out.write(OUTCOME_RESULT);
                out.write(hex("81 63 4b 65 6e"));
                peer.write(reply.toByteArray());
                assertThat(name.get(READ_TIMEOUT_MILLIS, MILLISECONDS)).isEqualTo("Ken");
            }
        } finally {
            caller.shutdownNow();
        }
    }

    /**
     * Section 5.1: a oneway REQUEST (flag 0x01, id 0) runs and gets no reply. Two-way requests are
     * not ordered with oneway ones (section 16), so {@code recorded()} is polled until it shows
     * the value; every frame that comes back answers one of those two-way requests.
     */
    @Test
    void request_oneway_runsAndGetsNoReply() throws Exception {
        assertThat(toHex(onewayRequest("recorder", "record", hex("81 05")))).isEqualTo(WORKED_ONEWAY);
        OnewayTest.RecorderImpl recorder = new OnewayTest.RecorderImpl();
        Server own = recorderServer(recorder);
        try (Peer peer = Peer.handshake(own.port())) {
            peer.write(hex(WORKED_ONEWAY)); // record(5)

            Object recorded = null;
            for (long id = 1; id <= 100 && !List.of(5L).equals(recorded); id++) {
                if (id > 1) {
                    Thread.sleep(20);
                }
                peer.write(request(id, 30_000, "recorder", "recorded", Map.of(), hex("80")));
                Frame frame = peer.readFrame();
                ByteBuffer body = frame.body();
                assertThat(frame.type()).isEqualTo(REPLY);
                assertThat(u32(body)).as("the id answered: only two-way requests get replies").isEqualTo(id);
                assertThat(u8(body)).isEqualTo(OUTCOME_RESULT);
                recorded = Cbor.decodeAll(body).get(0);
            }
            assertThat(recorded).isEqualTo(List.of(5L));
            peer.assertNothingPending();
        } finally {
            own.shutdownNow();
        }
        assertThat(recorder.values).containsExactly(5);
    }

    /** Section 5.1: a oneway request that cannot be dispatched is dropped without a reply. */
    @Test
    void request_onewayToUnknownServiceOrOperation_noReplyAndConnectionKeepsWorking() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(onewayRequest("nobody", "record", hex("81 05")));
            peer.write(onewayRequest("employees", "noSuchOperation", hex("80")));

            // Had either been answered, that reply would come first.
            peer.write(hex(WORKED_REQUEST));
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(WORKED_REPLY);
            peer.assertNothingPending();
        }
    }

    /**
     * Sections 9, 16 and 18: the worked BATCH examples. Two oneway items get no reply; a two-way
     * item gets one ordinary REPLY; all run one at a time in arrival order.
     */
    @Test
    void batch_workedExamples_onewayItemsRunInOrderAndTwoWayItemGetsOneReply() throws Exception {
        assertThat(toHex(batch(
                batchItem(ONEWAY, requestBody(0, 30_000, "recorder", "record", Map.of(), hex("81 01"))),
                batchItem(ONEWAY, requestBody(0, 30_000, "recorder", "record", Map.of(), hex("81 02"))))))
                .isEqualTo(WORKED_BATCH);
        assertThat(toHex(batch(batchItem(0, requestBody(7, 30_000, "recorder", "add", Map.of(), hex("82 02 03"))))))
                .isEqualTo(WORKED_BATCH_ADD);
        OnewayTest.RecorderImpl recorder = new OnewayTest.RecorderImpl();
        Server own = recorderServer(recorder);
        try (Peer peer = Peer.handshake(own.port())) {
            peer.write(hex(WORKED_BATCH)); // record(1), record(2), oneway
            peer.write(hex(WORKED_BATCH_ADD)); // add(2, 3), two-way, id 7

            assertThat(toHex(peer.readFrame().raw())).isEqualTo(WORKED_BATCH_ADD_REPLY);
            // add ran after both records, in the same serial lane.
            assertThat(recorder.values).containsExactly(1, 2);

            // The same, seen on the wire: a two-way recorded() in a batch, id 8.
            peer.write(batch(batchItem(0, requestBody(8, 30_000, "recorder", "recorded", Map.of(), hex("80")))));
            assertThat(toHex(peer.readFrame().raw())).isEqualTo("00 00 00 0b 02 00 00 00 00 08 00 81 82 01 02");
            peer.assertNothingPending();
        } finally {
            own.shutdownNow();
        }
    }

    /** Section 9: an empty BATCH is valid and does nothing. */
    @Test
    void batch_empty_doesNothing() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            assertThat(toHex(batch())).isEqualTo(EMPTY_BATCH);
            peer.write(hex(EMPTY_BATCH));

            peer.write(hex(WORKED_REQUEST));
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(WORKED_REPLY);
            peer.assertNothingPending();
        }
    }

    /** Sections 9 and 21: an item length beyond the end of the frame is a protocol error. */
    @Test
    void batch_itemLengthBeyondFrame_goAwayProtocolErrorThenClose() throws Exception {
        byte[] body = requestBody(0, 30_000, "recorder", "record", Map.of(), hex("81 01"));
        byte[] item = batchItem(ONEWAY, body);
        ByteBuffer.wrap(item).putInt(1, body.length + 1); // one byte more than the frame holds
        OnewayTest.RecorderImpl recorder = new OnewayTest.RecorderImpl();
        Server own = recorderServer(recorder);
        try (Peer peer = Peer.handshake(own.port())) {
            peer.write(batch(item));

            GoAway goAway = GoAway.read(peer.readFrame());
            assertThat(goAway.status()).isEqualTo(PROTOCOL_ERROR);
            peer.assertEndOfStream();
        } finally {
            own.shutdownNow();
            assertThat(own.awaitTermination(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(recorder.values).as("runs of the malformed batch's item").isEmpty();
    }

    /** Sections 9 and 21: bytes after the last item of a BATCH are a protocol error. */
    @Test
    void batch_bytesAfterLastItem_goAwayProtocolErrorThenClose() throws IOException {
        try (Peer peer = Peer.handshake(server.port())) {
            peer.write(hex("00 00 00 07 05 00 00 00 00 00 2a")); // item count 0, then one stray byte

            GoAway goAway = GoAway.read(peer.readFrame());
            assertThat(goAway.status()).isEqualTo(PROTOCOL_ERROR);
            peer.assertEndOfStream();
        }
    }

    private static Server recorderServer(OnewayTest.RecorderImpl recorder) {
        return Hermod.server().host("127.0.0.1").add("recorder", OnewayTest.Recorder.class, recorder).start();
    }

    // ---- a peer on a plain socket ----

    /** One frame as read from the socket. */
    private record Frame(int type, int flags, byte[] bodyBytes) {
        ByteBuffer body() {
            return ByteBuffer.wrap(bodyBytes); // big-endian, as the wire
        }

        /** The frame as it was on the wire, length prefix included. */
        byte[] raw() {
            ByteBuffer b = ByteBuffer.allocate(6 + bodyBytes.length);
            b.putInt(2 + bodyBytes.length).put((byte) type).put((byte) flags).put(bodyBytes);
            return b.array();
        }
    }

    private static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;

        private Peer(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            this.in = new DataInputStream(socket.getInputStream());
        }

        static Peer connect(int port) throws IOException {
            return new Peer(new Socket("127.0.0.1", port));
        }

        static Peer accepted(Socket socket) throws IOException {
            return new Peer(socket);
        }

        /** Connects and exchanges preambles (section 3). */
        static Peer handshake(int port) throws IOException {
            Peer peer = connect(port);
            peer.write(hex(PREAMBLE));
            assertThat(toHex(peer.readExactly(8))).isEqualTo(HERMOD_PREAMBLE);
            assertThat(toHex(peer.readFrame().raw())).isEqualTo(HERMOD_SETTINGS);
            return peer;
        }

        void write(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        byte[] readExactly(int n) throws IOException {
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        /** Reads the next frame (section 4), answering any PING on the way (section 10). */
        Frame readFrame() throws IOException {
            while (true) {
                long length = in.readInt() & 0xFFFF_FFFFL;
                assertThat(length).isBetween(2L, 16L * 1024 * 1024);
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                byte[] body = readExactly((int) length - 2);
                if (type == PING) {
                    write(new Frame(PONG, 0, body).raw());
                    continue;
                }
                return new Frame(type, flags, body);
            }
        }

        /**
         * Sends a PING and checks that the next frame is its PONG: whatever the server had sent
         * before it (a stray REPLY, say) would have come first.
         */
        void assertNothingPending() throws IOException {
            write(hex("00 00 00 0a 06 00 70 65 6e 64 69 6e 67 3f"));
            assertThat(toHex(readFrame().raw())).isEqualTo("00 00 00 0a 07 00 70 65 6e 64 69 6e 67 3f");
        }

        void assertEndOfStream() throws IOException {
            try {
                int b = in.read();
                assertThat(b).as("end of stream").isEqualTo(-1);
            } catch (EOFException e) {
                // also the end
            } catch (SocketException e) {
                // a reset after close is an end too
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    // ---- frame bodies (sections 5 to 9, 11, 13) ----

    /** Builds a complete two-way REQUEST frame (flags 0). */
    private static byte[] request(long id, long timeoutMillis, String service, String operation,
            Map<String, String> context, byte[] arguments) {
        return frame(REQUEST, 0, requestBody(id, timeoutMillis, service, operation, context, arguments));
    }

    /** Builds a complete oneway REQUEST frame (section 5.1): flag ONEWAY, request id 0. */
    private static byte[] onewayRequest(String service, String operation, byte[] arguments) {
        return frame(REQUEST, ONEWAY, requestBody(0, 30_000, service, operation, Map.of(), arguments));
    }

    /**
     * Builds a REQUEST body (section 5, from offset 6 on): request id, timeout, service, operation,
     * context, arguments. A REQUEST frame carries one; so does each BATCH item (section 9).
     */
    private static byte[] requestBody(long id, long timeoutMillis, String service, String operation,
            Map<String, String> context, byte[] arguments) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            DataOutputStream out = new DataOutputStream(body);
            out.writeInt((int) id);
            out.writeInt((int) timeoutMillis);
            writeStr16(out, service);
            writeStr16(out, operation);
            out.writeShort(context.size());
            for (Map.Entry<String, String> e : new LinkedHashMap<>(context).entrySet()) {
                writeStr16(out, e.getKey());
                writeStr16(out, e.getValue());
            }
            out.write(arguments);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body.toByteArray();
    }

    /** Builds a frame (section 4): length, type, flags, body. */
    private static byte[] frame(int type, int flags, byte[] body) {
        return ByteBuffer.allocate(6 + body.length).putInt(2 + body.length).put((byte) type).put((byte) flags)
                .put(body).array();
    }

    /** Builds one BATCH item (section 9): item flags, item length, REQUEST body. */
    private static byte[] batchItem(int flags, byte[] requestBody) {
        return ByteBuffer.allocate(5 + requestBody.length).put((byte) flags).putInt(requestBody.length)
                .put(requestBody).array();
    }

    /** Builds a BATCH frame (section 9): item count, then the items. */
    private static byte[] batch(byte[]... items) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ByteBuffer.allocate(4).putInt(items.length).array());
        for (byte[] item : items) {
            body.writeBytes(item);
        }
        return frame(BATCH, 0, body.toByteArray());
    }

    /** Builds a CANCEL frame (section 7). */
    private static byte[] cancel(long id) {
        return ByteBuffer.allocate(10).putInt(6).put((byte) CANCEL).put((byte) 0).putInt((int) id).array();
    }

    /** Builds a PROGRESS frame (section 8). */
    private static byte[] progress(long id, double fraction, String message) {
        byte[] m = message.getBytes(UTF_8);
        return ByteBuffer.allocate(20 + m.length).putInt(16 + m.length).put((byte) PROGRESS).put((byte) 0)
                .putInt((int) id).putDouble(fraction).putShort((short) m.length).put(m).array();
    }

    private static void writeStr16(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    private record Failure(int status, int flags, String message, boolean hasTraceback, ByteBuffer rest) {
        /** Reads a REPLY frame that must be a failure (outcome 2) answering {@code id}. */
        static Failure read(Frame frame, long id) {
            ByteBuffer body = frame.body();
            assertThat(frame.type()).isEqualTo(REPLY);
            assertThat(u32(body)).isEqualTo(id);
            assertThat(u8(body)).isEqualTo(OUTCOME_FAILURE);
            int status = u16(body);
            int flags = u8(body);
            String message = str16(body);
            int marker = u8(body);
            assertThat(marker).isIn(0, 1);
            return new Failure(status, flags, message, marker == 1, body);
        }
    }

    private record ProgressFrame(long requestId, double fraction, String message) {
        /** Reads a PROGRESS frame: request id, f64 fraction (0 to 1, or NaN), message, nothing after. */
        static ProgressFrame read(Frame frame) {
            assertThat(frame.type()).isEqualTo(PROGRESS);
            ByteBuffer body = frame.body();
            long id = u32(body);
            double fraction = body.getDouble(); // big-endian, as the wire
            String message = str16(body);
            assertThat(body.hasRemaining()).as("bytes after the PROGRESS message").isFalse();
            assertThat(Double.isNaN(fraction) || fraction >= 0 && fraction <= 1).as("fraction " + fraction).isTrue();
            return new ProgressFrame(id, fraction, message);
        }
    }

    private record GoAway(int status, String message, long taken) {
        static GoAway read(Frame frame) {
            assertThat(frame.type()).isEqualTo(GOAWAY);
            ByteBuffer body = frame.body();
            int status = u16(body);
            String message = str16(body);
            return new GoAway(status, message, body.remaining() >= 4 ? body.getInt() & 0xFFFF_FFFFL : -1);
        }
    }

    private record Traceback(String className, String message, List<String> frames, Traceback cause) {
        static Traceback read(ByteBuffer b) {
            String className = str16(b);
            String message = u8(b) == 1 ? str16(b) : null;
            int count = u16(b);
            List<String> frames = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String cls = str16(b);
                String method = str16(b);
                String file = str16(b);
                int line = b.getInt(); // i32
                frames.add(cls + "." + method + "(" + file + ":" + line + ")");
            }
            Traceback cause = u8(b) == 1 ? read(b) : null;
            return new Traceback(className, message, frames, cause);
        }
    }

    private static int u8(ByteBuffer b) {
        return b.get() & 0xFF;
    }

    private static int u16(ByteBuffer b) {
        return b.getShort() & 0xFFFF;
    }

    private static long u32(ByteBuffer b) {
        return b.getInt() & 0xFFFF_FFFFL;
    }

    private static String str16(ByteBuffer b) {
        byte[] s = new byte[u16(b)];
        b.get(s);
        return new String(s, UTF_8);
    }

    private static byte[] rest(ByteBuffer b) {
        byte[] r = new byte[b.remaining()];
        b.get(r);
        return r;
    }

    // ---- the CBOR subset of section 17 ----

    /** Decodes the few CBOR forms this test receives: integers, strings, arrays, maps, simple values. */
    private static final class Cbor {
        private final ByteBuffer in;

        private Cbor(ByteBuffer in) {
            this.in = in;
        }

        /** Decodes a payload: one array and nothing after it. */
        static List<Object> decodeAll(ByteBuffer payload) {
            Cbor cbor = new Cbor(payload);
            Object value = cbor.next();
            assertThat(payload.hasRemaining()).as("bytes after the payload's array").isFalse();
            assertThat(value).isInstanceOf(List.class);
            @SuppressWarnings("unchecked")
            List<Object> items = (List<Object>) value;
            return items;
        }

        private static final Object BREAK = new Object();

        private Object next() {
            int initial = in.get() & 0xFF;
            int major = initial >>> 5;
            int info = initial & 0x1F;
            if (initial == 0xFF) {
                return BREAK;
            }
            switch (major) {
                case 0:
                    return argument(info);
                case 1:
                    return -1 - argument(info);
                case 3:
                    if (info == 31) {
                        StringBuilder s = new StringBuilder();
                        for (Object chunk = next(); chunk != BREAK; chunk = next()) {
                            s.append((String) chunk);
                        }
                        return s.toString();
                    }
                    byte[] text = new byte[(int) argument(info)];
                    in.get(text);
                    return new String(text, UTF_8);
                case 4: {
                    List<Object> list = new ArrayList<>();
                    if (info == 31) {
                        for (Object item = next(); item != BREAK; item = next()) {
                            list.add(item);
                        }
                    } else {
                        for (long n = argument(info); n > 0; n--) {
                            list.add(next());
                        }
                    }
                    return list;
                }
                case 5: {
                    Map<Object, Object> map = new LinkedHashMap<>();
                    if (info == 31) {
                        for (Object key = next(); key != BREAK; key = next()) {
                            map.put(key, next());
                        }
                    } else {
                        for (long n = argument(info); n > 0; n--) {
                            map.put(next(), next());
                        }
                    }
                    return map;
                }
                case 7:
                    switch (info) {
                        case 20: return false;
                        case 21: return true;
                        case 22: return null;
                        default: throw new AssertionError("unexpected CBOR simple value " + info);
                    }
                default:
                    throw new AssertionError("unexpected CBOR major type " + major);
            }
        }

        private long argument(int info) {
            if (info < 24) {
                return info;
            }
            switch (info) {
                case 24: return in.get() & 0xFF;
                case 25: return in.getShort() & 0xFFFF;
                case 26: return in.getInt() & 0xFFFF_FFFFL;
                case 27: return in.getLong();
                default: throw new AssertionError("unexpected CBOR additional information " + info);
            }
        }
    }

    // ---- hex ----

    private static byte[] hex(String spaced) {
        String s = spaced.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    private static String toHex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte x : bytes) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%02x", x & 0xFF));
        }
        return s.toString();
    }
}
