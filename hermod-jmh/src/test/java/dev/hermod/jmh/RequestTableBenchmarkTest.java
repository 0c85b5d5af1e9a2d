package dev.hermod.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** Runs the request-table benchmark a few times: the table keeps its calls in flight. Not a timing test. */
final class RequestTableBenchmarkTest {

    private final Blackhole bh = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void sendAndReply_keepsInFlightCallsPending() {
        RequestTableBenchmark benchmark = new RequestTableBenchmark();
        benchmark.inFlight = 128;
        benchmark.setUp();
        assertThat(benchmark.pendingCalls()).isEqualTo(128);

        for (int i = 0; i < 1_000; i++) {
            benchmark.sendAndReply(bh);
        }

        assertThat(benchmark.pendingCalls()).isEqualTo(128);
    }
}
