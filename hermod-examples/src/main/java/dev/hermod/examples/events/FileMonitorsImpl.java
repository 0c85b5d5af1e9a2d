package dev.hermod.examples.events;

import dev.hermod.ConnectionException;
import dev.hermod.Hermod;
import dev.hermod.ObjectNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches files by polling their stat, as the RPyC example does, and reports each change to the
 * client's listener with a oneway call. A monitor stops by itself when its client has gone.
 */
public final class FileMonitorsImpl implements FileMonitors, AutoCloseable {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "file-monitor");
        t.setDaemon(true);
        return t;
    });

    @Override
    public FileMonitor watch(String path, FileListener listener, long intervalMillis) {
        if (intervalMillis < 1) {
            throw new IllegalArgumentException("intervalMillis must be positive: " + intervalMillis);
        }
        Monitor monitor = new Monitor(Path.of(path), listener);
        monitor.task = scheduler.scheduleWithFixedDelay(monitor::check, 0, intervalMillis, TimeUnit.MILLISECONDS);
        return monitor;
    }

    static FileStat stat(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return new FileStat(true, a.size(), a.lastModifiedTime().toInstant());
        } catch (IOException e) {
            return new FileStat(false, 0, null);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** One watch: exported to the client as the result of {@code watch}. */
    private static final class Monitor implements FileMonitor {
        private final Path path;
        private final FileListener listener;
        private final AtomicInteger reported = new AtomicInteger();
        private volatile ScheduledFuture<?> task;
        private FileStat last;

        Monitor(Path path, FileListener listener) {
            this.path = path;
            this.listener = Hermod.oneway(listener); // events need no reply: send and go on
        }

        /** Runs on the scheduler thread only. */
        void check() {
            FileStat now = stat(path);
            if (last != null && !last.equals(now)) {
                try {
                    listener.changed(path.toString(), last, now);
                    reported.incrementAndGet();
                } catch (ConnectionException | ObjectNotFoundException gone) {
                    stop(); // the client disconnected or dropped its listener
                }
            }
            last = now;
        }

        @Override
        public void stop() {
            ScheduledFuture<?> t = task;
            if (t != null) {
                t.cancel(false);
            }
            Hermod.release(listener);
            Hermod.revoke(this); // later calls on this monitor fail with ObjectNotFoundException
        }

        @Override
        public int changesReported() {
            return reported.get();
        }
    }
}
