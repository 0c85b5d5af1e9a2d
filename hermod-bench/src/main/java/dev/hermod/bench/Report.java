package dev.hermod.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Where a benchmark writes what it measured: one machine-readable line per measurement,
 * {@code RESULT <name> <value> <unit>}, and free-form lines for people, which never start with
 * {@code RESULT}. Not thread-safe: scenarios report from their main thread only.
 */
final class Report {
    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    /**
     * Prints {@code RESULT name value unit}. The value uses a dot as decimal separator and no
     * grouping: three decimals for ratios, two for CPU costs and context switches, none for calls
     * per second, one otherwise.
     */
    void result(String name, double value, String unit) {
        if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)
                || unit.isEmpty() || unit.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("result name and unit must be single words: " + name + " " + unit);
        }
        int decimals = unit.equals("ratio") ? 3 : unit.equals("calls/s") ? 0 : unit.startsWith("cpu-") || unit.startsWith("switches/") ? 2 : 1;
        out.println("RESULT " + name + " " + String.format(Locale.ROOT, "%." + decimals + "f", value) + " " + unit);
    }

    /** Prints a line for people. */
    void line(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }
}
