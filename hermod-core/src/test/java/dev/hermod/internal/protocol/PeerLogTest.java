package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** Log lines about peers are escaped and rate-limited, with counts of what was suppressed (issue 12). */
final class PeerLogTest {

    /** Keeps the formatted lines it is given. */
    static final class Recording extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] args,
                Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(format, args));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }

    @Test
    void warn_peerStringWithNewline_staysOnOneLine() {
        Recording log = new Recording();
        new PeerLog(log, "connection").warn("unknown service", "dropping call on service '{}'",
                "x\nERROR forged\u2028line\u202Eevil\\");

        assertThat(log.lines).containsExactly(
                "WARN dropping call on service 'x\\nERROR forged\\u2028line\\u202eevil\\\\'");
    }

    @Test
    void escape_longString_isCut() {
        String escaped = PeerLog.escape("a".repeat(1_000));

        assertThat(escaped).startsWith("a".repeat(PeerLog.MAX_STRING)).endsWith("...(744 more characters)");
    }

    @Test
    void warn_repeatedKind_isLimitedAndTheSuppressedAreCounted() {
        Recording log = new Recording();
        PeerLog peer = new PeerLog(log, "connection from 1.2.3.4");

        for (int i = 0; i < 1_000; i++) {
            peer.warn("bad payload", "bad payload {}", i);
            peer.warn("unknown service", "unknown service {}", i);
        }
        peer.flush();
        peer.flush();

        assertThat(log.lines.subList(0, 6)).containsExactly(
                "WARN bad payload 0", "WARN unknown service 0",
                "WARN bad payload 1", "WARN unknown service 1",
                "WARN bad payload 2", "WARN unknown service 2");
        assertThat(log.lines.subList(6, log.lines.size())).containsExactlyInAnyOrder(
                "WARN connection from 1.2.3.4: 997 more warnings of the kind 'bad payload' were suppressed",
                "WARN connection from 1.2.3.4: 997 more warnings of the kind 'unknown service' were suppressed");
    }

    @Test
    void warn_afterAPeriod_logsAgainWithTheCountSuppressedMeanwhile() {
        Recording log = new Recording();
        long[] now = {0};
        PeerLog peer = new PeerLog(log, "c", () -> now[0]);

        for (int i = 0; i < 10; i++) {
            peer.warn("k", "line {}", i);
        }
        now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(PeerLog.PERIOD_SECONDS);
        peer.warn("k", "line {}", 10);
        peer.warn("k", "line {}", 11);

        assertThat(log.lines).containsExactly("WARN line 0", "WARN line 1", "WARN line 2",
                "WARN line 10 (7 more like this suppressed)");
    }
}
