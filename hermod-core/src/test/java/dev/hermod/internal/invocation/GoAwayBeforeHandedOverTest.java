package dev.hermod.internal.invocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.hermod.Client;
import dev.hermod.ConnectionException;
import dev.hermod.Employees;
import dev.hermod.Hermod;
import dev.hermod.RawHandshake;
import dev.hermod.RpcException;
import dev.hermod.Status;
import dev.hermod.connection.Connection;
import dev.hermod.internal.protocol.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server's GOAWAY saying which requests it took, read by the client's I/O thread while the
 * thread that sent the request has not yet returned from handing it over (it wrote the request
 * itself, as a synchronous call alone on an open connection does, and was then preempted): the
 * request it did not take is still refused as not taken. Requests used to be numbered only once
 * the hand-over returned, so the GOAWAY found this one unnumbered: it neither refused the call nor
 * let the connection close, and the call waited for its deadline. That is how
 * {@code GoAwayTakenTest} failed in CI on JDK 25 at {@code 7339ad8}, and 2 of 150 repetitions of
 * it under load; this test holds the sending thread to make the race certain, and failed with the
 * call timed out before the fix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class GoAwayBeforeHandedOverTest {

    @AfterEach
    void unhook() {
        RequestParcel.afterHandOver = null;
    }

    @Test
    void goAwayReadBeforeTheHandOverReturns_callIsRefusedAsNotTaken() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> answerOneRefuseTheNext(listener));
            try (Client client = Hermod.client().target("tcp://127.0.0.1:" + listener.getLocalPort())
                    .maxAttempts(1).callTimeout(Duration.ofSeconds(10)).build()) {
                Employees e = client.proxy(Employees.class, "employees");
                // The first call opens the connection; its failure is the server's answer. The
                // next is then handed over, and written, by the calling thread itself.
                assertThat(catchThrowable(() -> e.getName(1))).isInstanceOf(RpcException.class)
                        .hasMessageContaining("first");
                // That thread waits, once it has handed the request over, until the I/O thread
                // has read the GOAWAY, and a little more for it to act on it, before it goes on.
                RequestParcel.afterHandOver = call -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (call.connection.state() == Connection.State.OPEN && System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                    sleep(200);
                };
                Throwable t = catchThrowable(() -> e.getName(99));
                assertThat(t).isInstanceOf(ConnectionException.class).hasMessageContaining("did not take");
                assertThat(((ConnectionException) t).isUnprocessed()).isTrue();
            }
            served.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Reads the handshake and a request, answers it with a failure, reads the next request and
     * answers with a GOAWAY that took only the first; then waits for the client to close.
     */
    private static void answerOneRefuseTheNext(ServerSocket listener) {
        try (Socket s = listener.accept()) {
            DataInputStream in = RawHandshake.accept(s);
            OutputStream out = s.getOutputStream();
            byte[] first = new byte[in.readInt()]; // type, flags, then the request id
            in.readFully(first);
            ByteBuf failure = Frames.failure(UnpooledByteBufAllocator.DEFAULT, ByteBuffer.wrap(first, 2, 4).getInt(),
                    Status.REMOTE_FAILURE, false, "first", null, false);
            byte[] reply = new byte[failure.readableBytes()];
            failure.readBytes(reply).release();
            out.write(reply);
            out.flush();
            in.readFully(new byte[in.readInt()]); // the second request
            out.write(RawHandshake.goAway(1));
            out.flush();
            in.read(); // until the client closes the drained connection
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
