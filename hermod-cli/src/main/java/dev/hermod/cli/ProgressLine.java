package dev.hermod.cli;

import java.io.PrintWriter;
import java.util.Locale;

import dev.hermod.Progress;

/**
 * Shows the progress of one long-running call: on a terminal a bar redrawn in place, otherwise
 * one plain line each time the operation says it does something new. Progress callbacks arrive
 * on the client's callback threads while the command's thread waits, so every method is
 * synchronized, and reports arriving after {@link #finish} are ignored.
 */
final class ProgressLine {
    private static final int BAR = 24;
    /** Wide enough to cover what the previous redraw left on the line. */
    private static final int WIDTH = 78;

    private final PrintWriter out;
    private final boolean redraw;
    private final String label;
    private Progress last;
    private int reports;
    private boolean finished;

    /**
     * @param redraw whether {@code out} is a terminal, where one line can be redrawn with {@code \r}
     */
    ProgressLine(PrintWriter out, boolean redraw, String label) {
        this.out = out;
        this.redraw = redraw;
        this.label = label;
    }

    synchronized void show(Progress p) {
        if (finished) {
            return;
        }
        reports++;
        boolean news = last == null || !last.message().equals(p.message());
        last = p;
        if (redraw) {
            draw();
        } else if (news) {
            out.printf(Locale.ROOT, "  %s %3d%% %s%n", label, p.percent(), p.message());
            out.flush();
        }
    }

    /** Ends the display with a closing line; later reports are ignored. */
    synchronized void finish(String outcome) {
        finished = true;
        if (redraw && last != null) {
            draw();
            out.println();
        }
        out.println("  " + label + " " + outcome);
        out.flush();
    }

    /** The number of reports shown, or received while the display was on. */
    synchronized int reports() {
        return reports;
    }

    private void draw() {
        int filled = Math.max(0, Math.min(BAR, (int) Math.round(last.fraction() * BAR)));
        String line = String.format(Locale.ROOT, "  %s [%s%s] %3d%% %s", label, "#".repeat(filled),
                ".".repeat(BAR - filled), last.percent(), last.message());
        out.print("\r" + (line.length() < WIDTH ? line + " ".repeat(WIDTH - line.length()) : line));
        out.flush();
    }
}
