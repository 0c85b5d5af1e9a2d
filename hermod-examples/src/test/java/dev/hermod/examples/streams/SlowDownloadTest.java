package dev.hermod.examples.streams;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@link SlowDownload} at 64 MiB, its server in a process of its own: the file arrives intact
 * and neither heap grows by more than a quarter of it. An implementation that buffered ahead of
 * the slow consumer (a server asking its publisher for everything, a client granting unbounded
 * credit) would hold a large part of the 64 MiB on one side or the other, beyond that bound; the
 * server's Netty buffers are on its heap there, so they count.
 */
@Timeout(value = 120, unit = SECONDS)
final class SlowDownloadTest {
    private static final long MIB = 1 << 20;

    @Test
    void sixtyFourMiB_toASlowConsumer_heapStaysFlatOnBothSides() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        SlowDownload.Outcome o = SlowDownload.run(new PrintStream(printed, true, StandardCharsets.UTF_8),
                64 * MIB, 4 * MIB, TimeUnit.MILLISECONDS.toNanos(1));
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(o.intact()).as(out).isTrue();
        assertThat(o.bytes()).isEqualTo(64 * MIB);
        assertThat(o.clientPeak() - o.clientBefore()).as(out).isLessThan(16 * MIB);
        assertThat(o.serverPeak() - o.serverBefore()).as(out).isLessThan(16 * MIB);
        assertThat(out).contains("checksum matches").contains("        64 MiB");
    }
}
