package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ByteBuffer} arguments are views of the request's frame, which is released when the servant
 * is done with them: this runs many calls under Netty's paranoid leak detector (every buffer
 * tracked) — calls that succeed, servants that fail, asynchronous servants, calls that time out,
 * calls canceled, and calls whose connection is closed while they run — then collects garbage and
 * fails on any leak the detector reports, and on any buffer released twice.
 */
final class ByteBufferLeakTest {
    private static ResourceLeakDetector.Level previous;

    @BeforeAll
    static void paranoid() {
        previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterAll
    static void restore() {
        ResourceLeakDetector.setLevel(previous);
    }

    private static ByteBuffer chunk(int size, boolean direct, int seed) {
        byte[] bytes = Buffers.pattern(size, seed);
        return direct ? ByteBuffer.allocateDirect(size).put(bytes).flip() : ByteBuffer.wrap(bytes);
    }

    @Test
    void calls_succeedingFailingTimedOutCanceledAndCutOff_leakNoFrameAndReleaseNoneTwice() throws Exception {
        try (LogCapture log = new LogCapture()) {
            try (Server server = Hermod.server().host("127.0.0.1")
                    .add("buffers", Buffers.class, new Buffers.Impl()).start()) {
                String target = "tcp://127.0.0.1:" + server.port();
                try (Client client = Hermod.client(target)) {
                    Buffers buffers = client.proxy(Buffers.class, "buffers");
                    BuffersAsync async = client.proxy(BuffersAsync.class, "buffers");
                    for (int i = 0; i < 100; i++) {
                        ByteBuffer data = chunk(1000 + i * 650, i % 2 == 0, i);
                        assertThat(buffers.sum(data)).isEqualTo(Buffers.checksum(data));
                        assertThat(buffers.echo(data)).isEqualTo(data);
                        assertThat(buffers.make(i * 100, i % 2 == 1).remaining()).isEqualTo(i * 100);
                    }
                    List<AsyncResult.Throwing<Long, RuntimeException>> later = new ArrayList<>();
                    for (int i = 0; i < 40; i++) { // views held until each stage completes
                        later.add(async.sumLater(chunk(20_000, i % 2 == 0, i), 5));
                        assertThatThrownBy(() -> buffers.fail(chunk(3000, true, 1))).isInstanceOf(RemoteException.class);
                    }
                    for (int i = 0; i < later.size(); i++) {
                        assertThat(later.get(i).value()).isEqualTo(Buffers.checksum(chunk(20_000, false, i)));
                    }
                    Buffers quick = Hermod.withOptions(buffers, o -> o.withTimeout(Duration.ofMillis(50)));
                    for (int i = 0; i < 5; i++) {
                        assertThatThrownBy(() -> quick.slow(chunk(10_000, false, 2), 300))
                                .isInstanceOf(InvocationTimeoutException.class);
                        AsyncResult.Throwing<Long, RuntimeException> canceled = async.slow(chunk(10_000, true, 3), 2000);
                        canceled.cancel();
                        AsyncResult.Throwing<Long, RuntimeException> stage = async.sumLater(chunk(10_000, true, 4), 2000);
                        stage.cancel();
                    }
                }
                Client cut = Hermod.client(target);
                BuffersAsync doomed = cut.proxy(BuffersAsync.class, "buffers");
                AsyncResult.Throwing<Long, RuntimeException> running = doomed.slow(chunk(30_000, true, 5), 300);
                AsyncResult.Throwing<Long, RuntimeException> pending = doomed.sumLater(chunk(30_000, false, 6), 300);
                assertThat(doomed.sum(chunk(10, false, 0)).value()).isNotNull(); // both are running by now
                cut.close(); // the connection goes while they run
                assertThatThrownBy(running::value).isInstanceOf(RpcException.class);
                assertThatThrownBy(pending::value).isInstanceOf(RpcException.class);
            } // the server waits for its servants
            for (int round = 0; round < 5; round++) { // leaks are reported when a later buffer is tracked
                System.gc();
                Thread.sleep(50);
                for (int i = 0; i < 100; i++) {
                    ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
                    b.release();
                }
            }
            assertThat(log.text()).doesNotContain("LEAK:").doesNotContain("IllegalReferenceCount");
        }
    }
}
