package dev.hermod.abuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The abuse suite of issue 12 (see {@link AbuseSuite}): each attack against a server process of
 * fixed heap while a bystander calls. By default the short version runs, in well under a minute;
 * {@code -Dhermod.abuse.scale=full} (the Maven profile {@code abuse}) runs the sizes of the issue.
 * The figures go to {@code target/abuse/figures.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class AbuseSuiteTest {
    private static final int CAP = 4;

    private final AbuseSuite.Scale scale = AbuseSuite.Scale.valueOf(
            System.getProperty("hermod.abuse.scale", "short").toUpperCase(Locale.ROOT));
    private final AbuseSuite suite = new AbuseSuite(scale);
    private AbuseServer server;
    private AbuseServer capped;
    private Bystander bystander;
    private Bystander cappedBystander;

    @BeforeAll
    void startServers() throws Exception {
        server = AbuseServer.start("default");
        capped = AbuseServer.start("capped", "maxInFlightPerConnection=" + CAP);
        bystander = new Bystander(server.port());
        cappedBystander = new Bystander(capped.port());
    }

    @AfterAll
    void stopServers() throws Exception {
        StringBuilder report = new StringBuilder("Abuse suite, scale " + scale + ", server on "
                + AbuseServer.java() + "\n\n" + AbuseSuite.Figures.header() + "\n");
        for (AbuseSuite.Figures f : suite.figures()) {
            report.append(f).append('\n');
        }
        try {
            Files.writeString(AbuseSuite.reportFile(), report, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("cannot write the abuse report: " + e);
        }
        System.out.println(report);
        for (AutoCloseable c : new AutoCloseable[] {bystander, cappedBystander, server, capped}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    @Order(1)
    void unreadReplies_serverStopsReadingThatConnection() throws Exception {
        suite.measure("1 unread replies", server, bystander, () -> suite.unreadReplies(server));
    }

    @Test
    @Order(2)
    void largeRequestsWhileBusy_requestBytesStayBounded() throws Exception {
        suite.measure("2 large requests, dispatch busy", server, bystander,
                () -> suite.largeRequestsWhileBusy(server));
    }

    @Test
    @Order(3)
    void inFlightCap_holdsForSyncAsyncAndBatchItems() throws Exception {
        suite.measure("3 in-flight cap " + CAP, capped, cappedBystander,
                () -> suite.inFlightCap(capped, CAP));
    }

    @Test
    @Order(4)
    void clientFlood_refusedWithResourceExhaustedWithinHeap() throws Exception {
        String note = suite.clientFlood();
        suite.record(new AbuseSuite.Figures("4 client oneway flood", 0, 0, 0, java.time.Duration.ZERO, 0, note));
    }

    @Test
    @Order(5)
    void starvation_idleClientsQuickCallIsServedAtOnce() throws Exception {
        suite.measure("5 one client's slow calls", server, bystander,
                () -> suite.starvation(server, bystander));
    }

    @Test
    @Order(6)
    void decodeAmplification_refusedBeforeAllocation() throws Exception {
        suite.measure("6 decoding amplifies", server, bystander, () -> suite.decodeAmplification(server));
    }

    @Test
    @Order(7)
    void slowPeers_closedLongBeforeTheHeartbeatTimeout() throws Exception {
        suite.measure("7 slow and stalled peers", server, bystander, () -> suite.slowPeers(server));
    }

    @Test
    @Order(8)
    void connectAndReset_leavesNothingBehind() throws Exception {
        suite.measure("8 connect and reset", server, bystander, () -> suite.connectAndReset(server));
    }

    @Test
    @Order(9)
    void logs_escapedRateLimitedAndLateDropsAtDebug() throws Exception {
        suite.measure("9 logs", server, bystander, () -> suite.logs(server));
    }
}
