package dev.hermod.issues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.Counter;
import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: each client and each server started its own timer thread, and Netty logged an
 * ERROR once more than 64 were alive, so an application keeping one client per server (as the
 * README advises) hit it. Now one timer serves the JVM, and it stops with the last user.
 */
final class ManyClientsTest {
    private static final int PAIRS = 200;

    /**
     * What was logged, less the reports of failed results other tests of this JVM dropped (this
     * test drops none): a collection meanwhile has them logged, stack traces and all.
     */
    private static String withoutOthersDropped(String log) {
        StringBuilder kept = new StringBuilder();
        boolean skipping = false;
        for (String line : log.split("\n", -1)) {
            if (line.startsWith("[")) {
                skipping = line.startsWith("[hermod-unobserved-failures]");
            }
            if (!skipping && !line.isEmpty()) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }

    @Test
    void twoHundredClientsAndServers_shareOneTimerThread_andLogNothing() throws Exception {
        List<String> timersBefore = timerThreads();
        int threadsBefore = Thread.activeCount();
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Server> servers = new ArrayList<>();
        List<Client> clients = new ArrayList<>();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < PAIRS; i++) {
                AtomicInteger count = new AtomicInteger();
                Server server = Hermod.server().host("127.0.0.1").add("counter", Counter.class, count::incrementAndGet)
                        .start();
                servers.add(server);
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port());
                clients.add(client);
                // A two-way call arms a deadline on the client's timer.
                assertThat(client.proxy(Counter.class, "counter").increment()).isEqualTo(1);
            }

            assertThat(timerThreads()).as("timer threads with %d clients and %d servers", PAIRS, PAIRS)
                    .hasSize(1);
            // Before: two timer threads per pair. What is left per pair is its I/O threads and
            // the client's and server's own executors.
            int perPair = (Thread.activeCount() - threadsBefore) / PAIRS;
            original.println("ManyClientsTest: " + perPair + " threads per client and server pair");
        } finally {
            clients.forEach(Client::close);
            servers.forEach(Server::close);
            System.setErr(original);
        }
        assertThat(withoutOthersDropped(log.toString(StandardCharsets.UTF_8))).as("what Hermod and Netty logged")
                .isEmpty();
        // The last close stopped the shared timer (unless another test still holds a client).
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(timerThreads()).hasSizeLessThanOrEqualTo(timersBefore.size()));
    }

    private static List<String> timerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("hermod") && n.contains("timer")).toList();
    }
}
