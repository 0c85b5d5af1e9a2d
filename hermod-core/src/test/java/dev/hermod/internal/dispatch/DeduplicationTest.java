package dev.hermod.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bounds of the server's memory of deduplicated calls, on a clock the test moves. */
final class DeduplicationTest {
    private final AtomicLong now = new AtomicLong();
    private final List<byte[]> replayed = new ArrayList<>();

    private Deduplication cache(int maxReplies, long maxBytes) {
        return new Deduplication(Duration.ofSeconds(60), maxReplies, maxBytes, now::get);
    }

    @Test
    void aCallSentAgainWhileItRuns_getsItsReplyWhenItEnds() {
        Deduplication d = cache(10, 1 << 20);
        Deduplication.Entry first = d.claim("k", replayed::add);
        assertThat(first).isNotNull();
        assertThat(d.claim("k", replayed::add)).as("running: wait for it").isNull();
        assertThat(replayed).isEmpty();

        d.ended(first, new byte[] {1, 2, 3}, true);

        assertThat(replayed).containsExactly(new byte[] {1, 2, 3});
        assertThat(d.claim("k", replayed::add)).as("ended: its reply").isNull();
        assertThat(replayed).hasSize(2);
        assertThat(d.replayed()).isEqualTo(2);
    }

    @Test
    void aReplyIsKeptForTheWindow_thenTheCallRunsAgain() {
        Deduplication d = cache(10, 1 << 20);
        d.ended(d.claim("k", replayed::add), new byte[8], true);
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(d.claim("k", replayed::add)).isNull();
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(d.claim("k", replayed::add)).as("past the window").isNotNull();
        assertThat(d.size()).isZero();
        assertThat(d.evictedEarly()).as("expired, not evicted").isZero();
    }

    @Test
    void pastTheBytes_theOldestRepliesGoFirst_andACallThatDidNotRunIsForgotten() {
        Deduplication d = cache(100, 1000);
        d.ended(d.claim("a", replayed::add), new byte[60], true);
        d.ended(d.claim("b", replayed::add), new byte[60], true);
        for (int i = 0; i < 15; i++) {
            d.ended(d.claim("c" + i, replayed::add), new byte[60], true);
        }
        assertThat(d.bytes()).isLessThanOrEqualTo(1000);
        assertThat(d.evictedEarly()).isEqualTo(1);
        assertThat(d.claim("a", replayed::add)).as("evicted first").isNotNull();
        assertThat(d.claim("b", replayed::add)).as("still kept").isNull();

        Deduplication.Entry refused = d.claim("r", replayed::add);
        d.ended(refused, new byte[4], false);
        assertThat(d.claim("r", replayed::add)).as("never ran: runs when sent again").isNotNull();
        d.ended(d.claim("big", replayed::add), new byte[101], true);
        assertThat(d.claim("big", replayed::add)).as("over a tenth of the bytes: not kept").isNotNull();
    }
}
