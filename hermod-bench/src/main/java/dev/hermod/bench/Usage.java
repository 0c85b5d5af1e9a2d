package dev.hermod.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this whole process has used so far: CPU time, and context switches of all its threads
 * (Linux {@code /proc/self/task}). The difference over a run gives its cost per byte or per
 * call, which moves less than wall time when the scheduler places threads differently; context
 * switches count the thread hand-offs a call needs. Both include whatever else the JVM does
 * meanwhile (JIT compilation, GC), which is why scenarios warm up first.
 *
 * @param cpuNanos process CPU time, or -1 where the JVM does not tell
 * @param switches voluntary and involuntary context switches of the live threads, or -1 where
 *     they cannot be read
 */
record Usage(long cpuNanos, long switches) {

    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();
    private static final Path TASKS = Path.of("/proc/self/task");

    /** The counters now. */
    static Usage now() {
        return new Usage(cpuNanos0(), switches0());
    }

    /**
     * What was used since {@code before}; a counter unknown at either end stays -1. A thread that
     * ended in between takes its switches with it (only live threads are read), so the switches
     * may be undercounted, and are never less than zero: a pool thread that retires during a
     * quiet run made the difference negative.
     */
    Usage since(Usage before) {
        return new Usage(cpuNanos < 0 || before.cpuNanos < 0 ? -1 : cpuNanos - before.cpuNanos,
                switches < 0 || before.switches < 0 ? -1 : Math.max(0, switches - before.switches));
    }

    /** Both counters added up over several periods. */
    Usage plus(Usage other) {
        return new Usage(cpuNanos < 0 || other.cpuNanos < 0 ? -1 : cpuNanos + other.cpuNanos,
                switches < 0 || other.switches < 0 ? -1 : switches + other.switches);
    }

    static Usage zero() {
        return new Usage(0, 0);
    }

    private static long cpuNanos0() {
        if (OS instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long switches0() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException e) {
                    // the thread ended while we looked: its switches are gone either way
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1; // not Linux
        }
    }
}
