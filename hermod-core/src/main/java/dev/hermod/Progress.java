package dev.hermod;

/**
 * A progress report from a long-running operation: how far it is, and what it is doing.
 *
 * <p>The servant reports with {@link Current#progress(double, String)}; the caller sees the latest
 * report on {@link AsyncResult#progress()} and each report through
 * {@link AsyncResult#onProgress(java.util.function.Consumer)}. Reports from one invocation arrive
 * in the order they were made; a caller may miss intermediate ones if it attaches late.
 *
 * <p>Immutable and thread-safe.
 *
 * @param fraction the part done, from 0 to 1, or {@link Double#NaN} when unknown
 * @param message what the operation is doing, possibly empty
 * @since 0.1
 */
public record Progress(double fraction, String message) {

    /**
     * Validates the report.
     *
     * @param fraction the part done, from 0 to 1, or {@link Double#NaN} when unknown
     * @param message what the operation is doing; null is taken as empty
     * @throws IllegalArgumentException if {@code fraction} is outside [0, 1] and not NaN
     */
    public Progress {
        if (!(fraction >= 0 && fraction <= 1) && !Double.isNaN(fraction)) {
            throw new IllegalArgumentException("fraction must be in [0, 1] or NaN: " + fraction);
        }
        message = message == null ? "" : message;
    }

    /**
     * Returns the progress as a whole percentage, for display.
     *
     * @return 0 to 100, or -1 when unknown
     */
    public int percent() {
        return Double.isNaN(fraction) ? -1 : (int) Math.round(fraction * 100);
    }
}
