package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.security.TestCertificates;
import dev.hermod.security.Tls;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ByteBuffer} parameters and results over loopback TCP (PROTOCOL.md section 30): raw
 * segments after the payload, heap and direct buffers with their position and limit anywhere,
 * empty and null ones, several in one call; the servant's view is read-only; compression, the
 * asynchronous companion, in-process servers and pass-by-reference still carry them.
 */
final class ByteBufferTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static Server server;
    private static Client client;
    private static Buffers buffers;

    @BeforeAll
    static void start() {
        server = Hermod.server().host("127.0.0.1").add("buffers", Buffers.class, new Buffers.Impl()).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        buffers = client.proxy(Buffers.class, "buffers");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    /** {@code size} pattern bytes at position 5 of a buffer with 7 spare bytes after its limit. */
    private static ByteBuffer offsetBuffer(int size, boolean direct, int seed) {
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(size + 12) : ByteBuffer.allocate(size + 12);
        b.position(5).put(Buffers.pattern(size, seed));
        return b.limit(5 + size).position(5);
    }

    @Test
    void sum_heapAndDirectAtAnOffset_sendsTheRemainingBytesAndLeavesTheCallerPosition() {
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer data = offsetBuffer(100_000, direct, 3);

            assertThat(buffers.sum(data)).as("direct " + direct).isEqualTo(Buffers.checksum(data));
            assertThat(data.position()).isEqualTo(5);
            assertThat(data.limit()).isEqualTo(100_005);
        }
    }

    @Test
    void sum_readOnlyAndSlicedBuffers_areCarried() {
        ByteBuffer whole = ByteBuffer.wrap(Buffers.pattern(4096, 9));
        ByteBuffer slice = whole.duplicate().position(100).limit(300).slice();

        assertThat(buffers.sum(whole.asReadOnlyBuffer())).isEqualTo(Buffers.checksum(whole));
        assertThat(buffers.sum(slice)).isEqualTo(Buffers.checksum(slice));
    }

    @Test
    void mixed_severalBuffersEmptyAndNull_arriveInOrder() {
        ByteBuffer a = offsetBuffer(1000, true, 1);
        ByteBuffer b = ByteBuffer.wrap(Buffers.pattern(70_000, 2));
        ByteBuffer empty = ByteBuffer.allocate(0);

        assertThat(buffers.mixed("t", a, 42, b, empty)).isEqualTo("t 42 1000 70000 0 " + Buffers.checksum(a)
                + " " + Buffers.checksum(b));
        assertThat(buffers.mixed("u", null, -1, empty, null)).isEqualTo("u -1 null 0 null 0 0");
    }

    @Test
    void inspect_servantsView_isReadOnlyAndStartsAtZero() {
        assertThat(buffers.inspect(offsetBuffer(300, false, 4))).isEqualTo("true 0 300");
        assertThat(buffers.inspect(ByteBuffer.allocateDirect(0))).isEqualTo("true 0 0");
    }

    @Test
    void make_heapAndDirectResults_arriveReadOnlyWithTheirBytes() {
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer made = buffers.make(200_000, direct);

            assertThat(made.isReadOnly()).isTrue();
            assertThat(made.remaining()).isEqualTo(200_000);
            assertThat(Buffers.checksum(made)).isEqualTo(Buffers.checksum(ByteBuffer.wrap(Buffers.pattern(200_000, 1))));
        }
        assertThat(buffers.make(0, true).remaining()).isZero();
    }

    @Test
    void echo_theRequestsViewAsTheResult_comesBackWhole() {
        ByteBuffer data = offsetBuffer(65_536, true, 8);

        ByteBuffer back = buffers.echo(data);

        assertThat(back).isEqualTo(data);
        assertThat(buffers.echo(null)).isNull();
    }

    @Test
    void asyncCompanionAndAsyncServant_carryBuffers() throws Exception {
        BuffersAsync async = client.proxy(BuffersAsync.class, "buffers");
        ByteBuffer data = offsetBuffer(10_000, false, 5);

        assertThat(async.sum(data).value()).isEqualTo(Buffers.checksum(data));
        assertThat(async.echo(data).value()).isEqualTo(data);
        assertThat(buffers.sumLater(data, 20).toCompletableFuture().get()).isEqualTo(Buffers.checksum(data));
    }

    @Test
    void compressedCalls_carryBuffersInline() {
        try (Client compressing = Hermod.client().target("tcp://127.0.0.1:" + server.port()).compression(true).build()) {
            Buffers b = compressing.proxy(Buffers.class, "buffers");
            ByteBuffer data = ByteBuffer.allocateDirect(50_000); // zeros: compresses well

            assertThat(b.sum(data)).isEqualTo(Buffers.checksum(data));
            assertThat(b.echo(data)).isEqualTo(data);
            assertThat(b.inspect(data)).isEqualTo("true 0 50000");
        }
    }

    @Test
    void inProcess_withAndWithoutPassByReference_givesTheServantAReadOnlyView() {
        for (boolean byReference : new boolean[] {false, true}) {
            try (Server local = Hermod.server().inProcess("buffers-" + NAMES.incrementAndGet())
                            .passByReference(byReference).add("buffers", Buffers.class, new Buffers.Impl()).start();
                    Client c = Hermod.client(local.target())) {
                Buffers b = c.proxy(Buffers.class, "buffers");
                ByteBuffer data = offsetBuffer(5000, byReference, 6);

                assertThat(b.inspect(data)).as("by reference " + byReference).isEqualTo("true 0 5000");
                assertThat(b.sum(data)).isEqualTo(Buffers.checksum(data));
                assertThat(data.position()).isEqualTo(5);
                ByteBuffer made = b.make(100, true);
                assertThat(made.isReadOnly()).isTrue();
                assertThat(made.remaining()).isEqualTo(100);
            }
        }
    }

    @Test
    void deduplicatedCall_withABufferResult_isAnswered() {
        ByteBuffer data = offsetBuffer(20_000, true, 7);

        assertThat(buffers.echoOnce(data)).isEqualTo(data);
        assertThat(buffers.echoOnce(data)).isEqualTo(data);
    }

    @Test
    void dynamicInvoke_byteArrayForABufferParameter_isDecodedAsTheDeclaredBuffer() throws Exception {
        byte[] bytes = Buffers.pattern(1000, 2);

        assertThat(client.invoke("buffers", "sum", (Object) bytes).value()).isEqualTo(Buffers.checksum(ByteBuffer.wrap(bytes)));
        assertThat(client.invoke("buffers", "echo", (Object) bytes).value()).isEqualTo(bytes);
    }

    @Test
    void overTls_buffersTravelAsSegments(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.authority(dir, "ca");
        TestCertificates.Issued issued = ca.server("server");
        try (Server tls = Hermod.server().host("127.0.0.1").tls(Tls.fromPem(issued.chain(), issued.key()))
                        .add("buffers", Buffers.class, new Buffers.Impl()).start();
                Client c = Hermod.client().target("tls://localhost:" + tls.port()).tls(Tls.trusting(ca.caFile()))
                        .build()) {
            Buffers b = c.proxy(Buffers.class, "buffers");
            ByteBuffer data = offsetBuffer(300_000, true, 9);

            assertThat(b.sum(data)).isEqualTo(Buffers.checksum(data));
            assertThat(b.echo(data)).isEqualTo(data);
        }
    }

    @Test
    void frameLimits_countTheSegments_aRequestOrReplyTooLargeFailsAlone() {
        try (Server small = Hermod.server().host("127.0.0.1").maxFrameSize(32 * 1024)
                        .add("buffers", Buffers.class, new Buffers.Impl()).start();
                Client c = Hermod.client().target("tcp://127.0.0.1:" + small.port()).maxFrameSize(32 * 1024).build()) {
            Buffers b = c.proxy(Buffers.class, "buffers");

            assertThatThrownBy(() -> b.sum(ByteBuffer.allocateDirect(40 * 1024)))
                    .isInstanceOf(MarshalException.class)
                    .satisfies(e -> assertThat(((MarshalException) e).isUnprocessed()).isTrue());
            assertThatThrownBy(() -> b.make(40 * 1024, true))
                    .isInstanceOf(MarshalException.class)
                    .hasMessageContaining("maximum frame size");
            assertThat(b.sum(ByteBuffer.allocate(30 * 1024))).isEqualTo(Buffers.checksum(ByteBuffer.allocate(30 * 1024)));
        }
    }

    /** A contract with a buffer inside another type. */
    @Remote
    public interface NestedBuffers {
        void send(List<ByteBuffer> chunks);
    }

    @Test
    void proxy_bufferInsideAnotherType_isRefusedNamingTheMethod() {
        assertThatThrownBy(() -> client.proxy(NestedBuffers.class, "nested"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ByteBuffer is carried only as a whole parameter or result")
                .hasMessageContaining("NestedBuffers.send");
    }
}
