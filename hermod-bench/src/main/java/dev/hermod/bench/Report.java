package dev.hermod.bench;

import java.util.Locale;

/**
 * Where one scenario says what it measured: one {@link BenchMain.Result} per measurement, and
 * free-form lines for people, which never start with {@code RESULT}; both go to the run's
 * {@link BenchMain.Listener}. Not thread-safe: scenarios report from their main thread only.
 */
final class Report {
    private final String scenario;
    private final BenchMain.Listener listener;

    Report(String scenario, BenchMain.Listener listener) {
        this.scenario = scenario;
        this.listener = listener;
    }

    /**
     * Reports one measurement.
     *
     * @throws IllegalArgumentException if {@code name} or {@code unit} is not a single word
     */
    void result(String name, double value, String unit) {
        listener.result(new BenchMain.Result(scenario, name, value, unit));
    }

    /** Reports a line for people. */
    void line(String format, Object... args) {
        listener.line(String.format(Locale.ROOT, format, args));
    }
}
