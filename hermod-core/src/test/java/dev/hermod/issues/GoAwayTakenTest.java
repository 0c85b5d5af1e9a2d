package dev.hermod.issues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Employees;
import dev.hermod.Hermod;
import dev.hermod.RawHandshake;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11's known limit, closed by issue 14 item 4: a request written to a server that goes away
 * and closes the connection without reading it used to be reported as processed. A GOAWAY that
 * says how many two-way requests the server took (PROTOCOL.md section 11) makes it exact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class GoAwayTakenTest {

    @Test
    void call_serverGoesAwayWithoutTakingIt_failsUnprocessed() throws Exception {
        Throwable t = callAgainst(RawHandshake.goAway(0));
        assertThat(t).isInstanceOf(ConnectionException.class);
        assertThat(((ConnectionException) t).isUnprocessed()).as("the server said it did not take it").isTrue();
    }

    @Test
    void call_serverGoesAwayWithoutSaying_mayHaveRun() throws Exception {
        Throwable t = callAgainst(RawHandshake.goAway(-1));
        assertThat(t).isInstanceOf(ConnectionException.class);
        assertThat(((ConnectionException) t).isUnprocessed()).as("nothing says it was not run").isFalse();
    }

    @Test
    void refusalsByServersGoingAway_doNotCountAsAttempts_upToAsManyAsAttempts() throws Exception {
        // Every connection's server refuses its request unrun; the call is sent again each time
        // (a rolling restart of short-lived servers) until its three attempts and three refusals
        // forgiven are spent.
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        DataInputStream in = RawHandshake.accept(s);
                        OutputStream out = s.getOutputStream();
                        in.readFully(new byte[in.readInt()]);
                        requests.incrementAndGet();
                        out.write(RawHandshake.goAway(0));
                        out.flush();
                        in.read(); // until the client closes the drained connection
                    } catch (IOException e) {
                        // the listener closed, or a client went away
                    }
                }
            }, "refusing-server");
            server.start();
            try (Client client = Hermod.client().target("tcp://127.0.0.1:" + listener.getLocalPort())
                    .maxAttempts(3).callTimeout(Duration.ofSeconds(30)).build()) {
                Employees e = client.proxy(Employees.class, "employees");
                Throwable t = catchThrowable(() -> e.getName(99));
                assertThat(t).isInstanceOf(ConnectionException.class).hasMessageContaining("did not take");
                assertThat(((ConnectionException) t).isUnprocessed()).isTrue();
            }
            listener.close();
            server.join(10_000);
        }
        assertThat(requests).as("three attempts, and three refusals that did not count").hasValue(6);
    }

    /**
     * Makes one call, without retries, against a raw server that reads its request, answers it
     * with {@code goAway}, then closes the connection without a reply; returns the call's failure.
     */
    private static Throwable callAgainst(byte[] goAway) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = listener.accept()) {
                    DataInputStream in = RawHandshake.accept(s);
                    OutputStream out = s.getOutputStream();
                    in.readFully(new byte[in.readInt()]); // the request
                    out.write(goAway);
                    out.flush();
                    Thread.sleep(200);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Client client = Hermod.client().target("tcp://127.0.0.1:" + listener.getLocalPort())
                    .maxAttempts(1).build()) {
                Employees e = client.proxy(Employees.class, "employees");
                Throwable t = catchThrowable(() -> e.getName(99));
                served.get(30, TimeUnit.SECONDS);
                return t;
            }
        }
    }
}
