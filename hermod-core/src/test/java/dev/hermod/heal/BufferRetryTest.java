package dev.hermod.heal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.Buffers;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Idempotent;
import dev.hermod.Remote;
import dev.hermod.Server;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call carrying a {@link ByteBuffer} (sent as a raw segment, PROTOCOL.md section 30) that is
 * sent again after its connection was killed under it: the second attempt carries the same bytes,
 * although the first attempt's frame, which wrapped the caller's buffer, is gone, and the caller's
 * buffer keeps its position and limit.
 */
@Timeout(value = 60, unit = SECONDS)
final class BufferRetryTest {
    /** An idempotent operation with a buffer parameter. */
    @Remote
    public interface Checksums {
        /** A checksum of the buffer's remaining bytes. */
        @Idempotent
        long sum(ByteBuffer data);
    }

    /** Answers with the checksum; the first server's holds each call until released. */
    static final class Summer implements Checksums {
        final CountDownLatch entered = new CountDownLatch(1);
        final Semaphore gate;
        final AtomicInteger calls = new AtomicInteger();

        Summer(boolean gated) {
            gate = gated ? new Semaphore(0) : null;
        }

        @Override
        public long sum(ByteBuffer data) {
            calls.incrementAndGet();
            entered.countDown();
            if (gate != null) {
                gate.acquireUninterruptibly();
            }
            return Buffers.checksum(data);
        }
    }

    private Client client;
    private Server first;
    private Server second;

    @AfterEach
    void close() {
        Ports.closeAll(client, first, second);
    }

    @Test
    void bufferCall_connectionKilledWhileServed_isSentAgainWithTheSameBytes() throws Exception {
        for (boolean direct : new boolean[] {true, false}) {
            ByteBuffer data = direct ? ByteBuffer.allocateDirect(100_012) : ByteBuffer.allocate(100_012);
            for (int i = 0; i < data.capacity(); i++) {
                data.put(i, (byte) (i * 13 + 1));
            }
            data.position(5).limit(100_005);
            long expected = Buffers.checksum(data);

            Summer gated = new Summer(true);
            first = Hermod.server().host("127.0.0.1").add("sums", Checksums.class, gated).start();
            client = Hermod.client().target("tcp://127.0.0.1:" + first.port()).callTimeout(Duration.ofSeconds(30))
                    .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
            Checksums sums = client.proxy(Checksums.class, "sums");
            CompletableFuture<Long> sum = CompletableFuture.supplyAsync(() -> sums.sum(data));
            assertThat(gated.entered.await(20, SECONDS)).isTrue();
            first.shutdownNow();
            gated.gate.release(10);
            Summer fresh = new Summer(false);
            second = Hermod.server().host("127.0.0.1").port(first.port()).add("sums", Checksums.class, fresh).start();

            assertThat(sum.get(20, SECONDS)).as("direct " + direct).isEqualTo(expected);
            assertThat(fresh.calls).hasValue(1);
            assertThat(data.position()).isEqualTo(5);
            assertThat(data.limit()).isEqualTo(100_005);
            close();
            client = null;
            first = null;
            second = null;
        }
    }
}
