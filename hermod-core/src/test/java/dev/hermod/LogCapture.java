package dev.hermod;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what is logged (slf4j-simple writes to System.err) while open. */
final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    LogCapture() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    long linesContaining(String s) {
        return text().lines().filter(l -> l.contains(s)).count();
    }

    @Override
    public void close() {
        System.setErr(original);
        System.err.print(text());
    }
}
