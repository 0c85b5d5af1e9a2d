package dev.hermod.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.Hermod;
import dev.hermod.Server;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer that sends many requests at once for large replies and never reads (issue 12, item 1):
 * every request of that one write is admitted before the first reply exists. The server must stop
 * starting them once the replies back up, and the ones already running must not each hold their
 * reply in direct memory: with 256 threads for one connection (virtual threads give it that many),
 * that was 256 replies of 256 KiB.
 */
final class UnreadRepliesTest {
    private static final int REPLY = 256 * 1024;
    private static final int REQUESTS = 1000;
    private static final int LIMIT = 1 << 20;

    private Server server;
    private ExecutorService executor;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Test
    void requestsAdmittedBeforeTheRepliesBackedUp_doNotAllStart() throws Exception {
        executor = Executors.newFixedThreadPool(32);
        AbuseServant servant = new AbuseServant();
        server = Hermod.server().host("127.0.0.1").executor(executor).maxConcurrentCallsPerConnection(16)
                .maxReplyBytesPerConnection(LIMIT).add("abuse", Abuse.class, servant).start();
        try (RawPeer peer = RawPeer.connect(server.port(), false, 16 * 1024)) {
            peer.write(requests()); // all admitted while the first ones run: no reply exists yet
            long served = awaitSteady(servant);
            // The calls running when the replies backed up (16), and 16 more each time the kernel
            // took some of the replies (its socket buffers hold a few MiB); before, all 1,000.
            long bound = 200;
            System.out.println("calls run for a peer that reads no replies: " + served + " of " + REQUESTS);
            assertThat(served).as("calls run for a peer that reads no replies, of %d requested", REQUESTS)
                    .isLessThanOrEqualTo(bound);
        }
        assertServesAReader();
    }

    @Test
    void repliesOfCallsAlreadyRunning_waitOnTheHeapNotInDirectMemory() throws Exception {
        executor = Executors.newFixedThreadPool(256);
        AbuseServant servant = new AbuseServant();
        server = Hermod.server().host("127.0.0.1").executor(executor).maxConcurrentCalls(256)
                .maxConcurrentCallsPerConnection(256).maxReplyBytesPerConnection(LIMIT)
                .add("abuse", Abuse.class, servant).start();
        long before = activeDirectBytes();
        AtomicLong peak = new AtomicLong(before);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(activeDirectBytes(), Math::max);
                Thread.onSpinWait();
            }
        }, "direct-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try (RawPeer peer = RawPeer.connect(server.port(), false, 16 * 1024)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            // All running, then all answering at once: each holds its thread long enough (2 s) for
            // the 256 to be running together even on a loaded machine (500 ms saw only 50 in CI).
            for (int id = 1; id <= 256; id++) {
                all.writeBytes(AbuseWire.call(id, "blobAfter", AbuseWire.intArgs(REPLY, 2_000)));
            }
            peer.write(all.toByteArray());
            awaitSteady(servant);
            sampler.interrupt();
            sampler.join();
            assertThat(servant.peakInServant()).as("calls running at once").isGreaterThan(2 * (8 << 20) / REPLY);
            // The connection's limit, a reply growing into its buffer (up to twice its size), and
            // the pool's granularity; before, every running call encoded its reply: over 64 MiB.
            assertThat(peak.get() - before).as("direct memory taken by replies to a peer that reads none")
                    .isLessThanOrEqualTo(8L << 20);
        } finally {
            sampler.interrupt();
        }
        assertServesAReader();
    }

    private static byte[] requests() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int id = 1; id <= REQUESTS; id++) {
            all.writeBytes(AbuseWire.call(id, "blobAfter", AbuseWire.intArgs(REPLY, 50)));
        }
        return all.toByteArray();
    }

    /** Direct memory Netty's default allocator (the one Hermod uses) holds, which the server's replies take. */
    private static long activeDirectBytes() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    private void assertServesAReader() throws Exception {
        try (RawPeer reader = RawPeer.connect(server.port(), true)) {
            reader.write(AbuseWire.call(1, "ping", new byte[] {(byte) 0x80}));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (reader.replies() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(reader.replies()).as("replies to another peer").isEqualTo(1);
        }
    }

    /** Waits until the servant's count has not moved for half a second (at most ten seconds). */
    private static long awaitSteady(AbuseServant servant) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = servant.served();
            if (now == last && now > 0) {
                return now;
            }
            last = now;
            Thread.sleep(500);
        }
        return servant.served();
    }
}
