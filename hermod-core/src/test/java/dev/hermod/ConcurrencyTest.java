package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One client, one connection, many threads: replies are matched to their own calls. */
final class ConcurrencyTest {

    @Remote
    public interface Gate {
        /** Blocks until {@link #open()} is called, then returns {@code value}. */
        int await(int value);

        void open();

        int echo(int value, int sleepMicros);
    }

    static final class GateImpl implements Gate {
        private final CountDownLatch latch = new CountDownLatch(1);

        @Override
        public int await(int value) {
            try {
                if (!latch.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return value;
        }

        @Override
        public void open() {
            latch.countDown();
        }

        @Override
        public int echo(int value, int sleepMicros) {
            if (sleepMicros > 0) {
                try {
                    TimeUnit.MICROSECONDS.sleep(sleepMicros);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return value;
        }
    }

    @Test
    void laterCall_answeredBeforeEarlierCall_onSameClient() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1").add("gate", Gate.class, new GateImpl()).start();
                Client client = TestServers.client(server)) {
            Gate gate = client.proxy(Gate.class, "gate");
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> first = pool.submit(() -> gate.await(7));
                Thread.sleep(100); // let the first request reach the server and block there
                gate.open(); // the second call completes while the first is still outstanding
                assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(7);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void manyThreads_shareOneClient_eachGetsOwnReply() throws Exception {
        int threads = 16;
        int callsPerThread = 250;
        try (Server server = Hermod.server().host("127.0.0.1").add("gate", Gate.class, new GateImpl()).start();
                Client client = TestServers.client(server)) {
            Gate gate = client.proxy(Gate.class, "gate");
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<int[]>>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int base = t * 1_000_000;
                    futures.add(pool.submit(() -> {
                        List<int[]> mismatches = new ArrayList<>();
                        for (int i = 0; i < callsPerThread; i++) {
                            int value = base + i;
                            int got = gate.echo(value, ThreadLocalRandom.current().nextInt(0, 300));
                            if (got != value) {
                                mismatches.add(new int[] {value, got});
                            }
                        }
                        return mismatches;
                    }));
                }
                for (Future<List<int[]>> f : futures) {
                    assertThat(f.get(60, TimeUnit.SECONDS)).isEmpty();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
