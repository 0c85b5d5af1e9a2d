package dev.hermod.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's CPU time counters from {@code /proc/stat} (Linux), to tell how much time a
 * hypervisor took away from this virtual machine during a scenario ("steal"). On a shared
 * virtual machine that share changes from minute to minute and moves every number: a run with a
 * high share is not comparable with one without.
 */
final class Steal {
    private final long steal;
    private final long total;

    private Steal(long steal, long total) {
        this.steal = steal;
        this.total = total;
    }

    /** The counters now, or null where {@code /proc/stat} cannot be read. */
    static Steal now() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long total = 0;
                    for (int i = 1; i < f.length && i <= 8; i++) { // user .. steal; guest time is in user
                        total += Long.parseLong(f[i]);
                    }
                    return f.length > 8 ? new Steal(Long.parseLong(f[8]), total) : null;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: no steal figure
        }
        return null;
    }

    /** The share of CPU time stolen since {@code before}, in percent; -1 if unknown. */
    double percentSince(Steal before) {
        if (before == null || total == before.total) {
            return -1;
        }
        return 100.0 * (steal - before.steal) / (total - before.total);
    }
}
