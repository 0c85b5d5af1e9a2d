package dev.hermod.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Runs each codec benchmark once per shape, so that the build proves they still compile and run
 * against the current code, and that what they measure is a real round trip. Not a timing test.
 */
final class CodecBenchmarkTest {

    private final Blackhole bh = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @ParameterizedTest
    @ValueSource(strings = {Request.ECHO_32B, Request.EMPLOYEE, Request.STAFF_100, Request.SEND_64KIB})
    void benchmarks_eachShape_roundTripTheArguments(String shape) throws Exception {
        CodecBenchmark benchmark = new CodecBenchmark();
        benchmark.shape = shape;
        benchmark.setUp();
        try {
            Object[] args = benchmark.request().args();

            benchmark.encodeArguments(bh);
            assertThat(benchmark.lastEncoded()).isEqualTo(benchmark.encodedArguments());
            assertThat(benchmark.decodeArguments()).containsExactly(args);

            benchmark.encodeRequest(bh);
            assertThat(benchmark.decodeRequest(bh)).containsExactly(args);
            // The received frame is read again from its start each time.
            assertThat(benchmark.decodeRequest(bh)).containsExactly(args);
        } finally {
            benchmark.tearDown();
        }
    }
}
