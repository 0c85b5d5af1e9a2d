package dev.hermod.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.Client;
import dev.hermod.Deduplicated;
import dev.hermod.Hermod;
import dev.hermod.Remote;
import dev.hermod.Server;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The server's count of {@code @Deduplicated} calls answered from memory, read from a registry. */
final class DeduplicatedReplaysTest {
    /** A counter that must not count one call twice. */
    @Remote
    public interface Tally {
        @Deduplicated
        long add(long n);
    }

    @Test
    void aCallSentAgainWithItsId_isCountedAsAReplay() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicLong total = new AtomicLong();
        Tally servant = total::addAndGet;
        try (Server server = Hermod.server().host("127.0.0.1").add("tally", Tally.class, servant)
                .intercept(new HermodMetrics(meters)).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Tally tally = Hermod.withOptions(client.proxy(Tally.class, "tally"),
                    o -> o.withContext("hermod-call-id", "once"));

            assertThat(tally.add(5)).isEqualTo(5);
            assertThat(tally.add(5)).isEqualTo(5);

            assertThat(meters.get("hermod.server.deduplicated.replays").functionCounter().count()).isEqualTo(1.0);
            assertThat(meters.get("hermod.server.deduplicated.evictions").functionCounter().count()).isZero();
            assertThat(total).hasValue(5);
        }
    }

    @Test
    void aReplyDroppedToStayWithinTheBounds_isCountedAsAnEviction() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicLong total = new AtomicLong();
        Tally servant = total::addAndGet;
        try (Server server = Hermod.server().host("127.0.0.1").add("tally", Tally.class, servant)
                .deduplication(java.time.Duration.ofMinutes(5), 1, 1 << 20).intercept(new HermodMetrics(meters)).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Tally tally = client.proxy(Tally.class, "tally");

            tally.add(1);
            tally.add(2); // one reply is kept: the first is dropped

            assertThat(meters.get("hermod.server.deduplicated.evictions").functionCounter().count()).isEqualTo(1.0);
            assertThat(total).hasValue(3);
        }
    }
}
