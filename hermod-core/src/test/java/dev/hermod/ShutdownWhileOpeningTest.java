package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.hermod.tools.CompanionOf;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A graceful {@link Client#shutdown()} while a connection is still opening: the client
 * terminates once the attempt ends. And the attempt ends within the connect timeout: a peer that
 * accepts and never answers the preamble takes it whole.
 */
final class ShutdownWhileOpeningTest {

    @Remote
    public interface Ping {
        int ping(int n);
    }

    @CompanionOf(Ping.class)
    public interface PingAsync {
        AsyncResult<Integer> ping(int n);
    }

    @Test
    void shutdown_whileTheOnlyConnectIsInFlight_terminatesWhenTheAttemptFails() throws Exception {
        List<Socket> fillers = new CopyOnWriteArrayList<>();
        // Never accepts, and its queue of one is filled first: the kernel drops the client's
        // SYNs, and its connect stays in flight until the connect timeout.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort());
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket();
                fillers.add(s);
                try {
                    s.connect(address, 200);
                } catch (IOException timedOut) {
                    // the queue is full
                }
            }
            Client client = Hermod.client().target("tcp://127.0.0.1:" + full.getLocalPort())
                    .connectTimeout(Duration.ofMillis(300)).build();
            try {
                AsyncResult<Integer> call = client.proxy(PingAsync.class, "ping").ping(1);

                client.shutdown(); // the call waits for the connection being opened

                await().atMost(Duration.ofSeconds(5)).until(call::isDone);
                assertThat(catchThrowable(call::value)).isInstanceOf(ConnectionException.class);
                // Before the fix: false, the pool never looked again once the attempt failed.
                assertThat(client.awaitTermination(Duration.ofSeconds(5))).as("terminated").isTrue();
            } finally {
                client.close();
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void peerThatAcceptsAndNeverAnswers_failsTheWaitingCallWithinTheConnectTimeout() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Client client = Hermod.client().target("tcp://127.0.0.1:" + silent.getLocalPort())
                    .connectTimeout(Duration.ofMillis(300)).build();
            try {
                AsyncResult<Integer> call = client.proxy(PingAsync.class, "ping").ping(1);

                // Before: 10 s whatever the connect timeout, the client's handshake had a fixed one.
                await().atMost(Duration.ofSeconds(5)).until(call::isDone);
                assertThat(catchThrowable(call::value)).isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("did not complete the Hermod handshake within 300 ms");
                client.shutdown();
                assertThat(client.awaitTermination(Duration.ofSeconds(5))).as("terminated").isTrue();
            } finally {
                client.close();
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }
}
