package dev.hermod.internal.protocol;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Log lines about what a peer did, safe from that peer: every string argument is escaped (a
 * peer's newline cannot start a forged line), and warnings of one kind are rate-limited, with a
 * count of what was suppressed, so that a peer repeating a fault cannot flood the log.
 *
 * <p>Each kind (a short constant such as {@code "oneway dropped"}) may log
 * {@value #BURST} warnings at once, then one per {@value #PERIOD_SECONDS} seconds; a warning that
 * follows suppressed ones says how many were suppressed. Whoever owns an instance calls
 * {@link #flush()} when it is done (a connection that closes), so suppressed counts are not lost.
 * One instance serves one connection, or one server for what happens before there is a
 * connection to speak of.
 *
 * <p>Thread-safe.
 */
public final class PeerLog {
    static final int BURST = 3;
    static final int PERIOD_SECONDS = 10;
    /** Longer strings from a peer are cut, with a note of how much was left out. */
    static final int MAX_STRING = 256;

    private final Logger log;
    private final String subject;
    private final java.util.function.LongSupplier clock;
    private final ConcurrentHashMap<String, Bucket> kinds = new ConcurrentHashMap<>();

    /**
     * @param log where lines go
     * @param subject what the lines are about, for the summary at {@link #flush()} (e.g. the
     *     connection); escaped too
     */
    public PeerLog(Logger log, Object subject) {
        this(log, subject, System::nanoTime);
    }

    PeerLog(Logger log, Object subject, java.util.function.LongSupplier clock) {
        this.log = log;
        this.subject = escape(String.valueOf(subject));
        this.clock = clock;
    }

    /**
     * Logs a warning of the given kind unless too many of that kind were logged lately. As in
     * SLF4J, a last argument that is a {@link Throwable} is logged with its stack trace.
     */
    public void warn(String kind, String format, Object... args) {
        if (!log.isWarnEnabled()) {
            return;
        }
        long suppressed = kinds.computeIfAbsent(kind, k -> new Bucket(clock.getAsLong())).admit(clock.getAsLong());
        if (suppressed < 0) {
            return;
        }
        Object[] safe = escapeAll(args);
        if (suppressed == 0) {
            log.warn(format, safe);
        } else {
            log.warn(format + " (" + suppressed + " more like this suppressed)", safe);
        }
    }

    /** Logs at debug level, unlimited, with string arguments escaped. */
    public void debug(String format, Object... args) {
        if (log.isDebugEnabled()) {
            log.debug(format, escapeAll(args));
        }
    }

    /** Logs, for each kind, how many warnings were suppressed since the last one logged. */
    public void flush() {
        kinds.forEach((kind, bucket) -> {
            long n = bucket.drain();
            if (n > 0) {
                log.warn("{}: {} more warnings of the kind '{}' were suppressed", subject, n, kind);
            }
        });
    }

    private static Object[] escapeAll(Object[] args) {
        Object[] safe = args.clone();
        for (int i = 0; i < safe.length; i++) {
            if (safe[i] instanceof CharSequence s) {
                safe[i] = escape(s.toString());
            }
        }
        return safe;
    }

    /**
     * Returns {@code s} fit for a log line: control characters, line and paragraph separators and
     * the characters that reorder text on a terminal become escapes ({@code \n}, {@code \u2028}),
     * backslashes are doubled, and more than {@value #MAX_STRING} characters are cut.
     */
    public static String escape(String s) {
        if (s == null) {
            return null;
        }
        int n = Math.min(s.length(), MAX_STRING);
        StringBuilder out = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            String esc = escapeOf(c);
            if (esc != null && out == null) {
                out = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (out != null) {
                if (esc != null) {
                    out.append(esc);
                } else {
                    out.append(c);
                }
            }
        }
        String kept = out == null ? s.substring(0, n) : out.toString();
        return s.length() > MAX_STRING ? kept + "...(" + (s.length() - MAX_STRING) + " more characters)" : kept;
    }

    private static String escapeOf(char c) {
        switch (c) {
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            case '\\': return "\\\\";
            default:
                if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029'
                        || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
                        || c == '\u200E' || c == '\u200F' || c == '\u061C') {
                    return String.format("\\u%04x", (int) c);
                }
                return null;
        }
    }

    /** A token bucket per kind: {@value #BURST} tokens, one more every {@value #PERIOD_SECONDS} s. */
    private static final class Bucket {
        private static final long REFILL = TimeUnit.SECONDS.toNanos(PERIOD_SECONDS);
        private long tokens = BURST;
        private long refilled;
        private long suppressed;

        Bucket(long now) {
            refilled = now;
        }

        /** Returns -1 to suppress this occurrence, else how many were suppressed before it. */
        synchronized long admit(long now) {
            long earned = (now - refilled) / REFILL;
            if (earned > 0) {
                tokens = Math.min(BURST, tokens + earned);
                refilled += earned * REFILL;
            }
            if (tokens == 0) {
                suppressed++;
                return -1;
            }
            tokens--;
            long n = suppressed;
            suppressed = 0;
            return n;
        }

        synchronized long drain() {
            long n = suppressed;
            suppressed = 0;
            return n;
        }
    }
}
