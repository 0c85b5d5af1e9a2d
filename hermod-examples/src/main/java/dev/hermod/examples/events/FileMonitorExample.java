package dev.hermod.examples.events;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.ObjectNotFoundException;
import dev.hermod.Server;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * RPyC's FileMonitor in Hermod. The client passes a listener; the server watches a file and calls
 * the listener back, over the connection the client opened, with the old and new stat. First
 * with incoming calls served in the background (RPyC's {@code BgServingThread}), then by a client
 * that serves them only when it polls (RPyC's {@code poll_all}).
 */
public final class FileMonitorExample {
    private FileMonitorExample() {}

    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    public static void run(PrintStream out) throws Exception {
        Path file = Files.createTempFile("floop", ".bloop");
        try (FileMonitorsImpl monitors = new FileMonitorsImpl();
                Server server = Hermod.server().host("127.0.0.1").add("monitors", FileMonitors.class, monitors).start()) {
            String target = "tcp://127.0.0.1:" + server.port();
            background(out, target, file);
            manual(out, target, file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void background(PrintStream out, String target, Path file) throws Exception {
        try (Client client = Hermod.client(target)) {
            FileMonitors monitors = client.proxy(FileMonitors.class, "monitors");
            BlockingQueue<String> changes = new LinkedBlockingQueue<>();
            FileListener onChange = (path, before, after) ->
                    changes.add("size " + before.size() + " -> " + after.size());

            FileMonitor mon = monitors.watch(file.toString(), onChange, 20);
            Thread.sleep(100); // let the monitor take its first look
            Files.writeString(file, "oloop", StandardOpenOption.APPEND);
            out.println("background: file changed, " + take(changes));
            mon.stop();
            try {
                mon.changesReported();
            } catch (ObjectNotFoundException e) {
                out.println("background: monitor stopped; calling it now fails: " + e.status());
            }
        }
    }

    private static void manual(PrintStream out, String target, Path file) throws Exception {
        try (Client client = Hermod.client().target(target).manualServing().build()) {
            FileMonitors monitors = client.proxy(FileMonitors.class, "monitors");
            BlockingQueue<String> changes = new LinkedBlockingQueue<>();
            FileMonitor mon = monitors.watch(file.toString(),
                    (path, before, after) -> changes.add("size " + before.size() + " -> " + after.size()), 20);
            Thread.sleep(100);
            Files.writeString(file, " and more", StandardOpenOption.APPEND);
            Thread.sleep(200); // the monitor has noticed and called back: the call waits here
            out.println("manual: before polling, " + changes.size() + " changes seen");
            int served = client.poll(Duration.ofSeconds(5));
            out.println("manual: polling served " + served + (served == 1 ? " call: " : " calls: ") + take(changes));
            mon.stop();
        }
    }

    private static String take(BlockingQueue<String> changes) throws InterruptedException {
        String change = changes.poll(5, TimeUnit.SECONDS);
        return change == null ? "no change seen within 5 s" : change;
    }
}
