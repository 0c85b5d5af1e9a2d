package dev.hermod.heal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A {@link RestartServerMain} in a JVM of its own, for the tests that restart, kill or drain
 * servers: started on a port, it keeps what its servant received ({@link #received()}, in order)
 * and can be stopped gracefully ({@link #stop()}) or killed ({@link #kill()}). Closing kills it if
 * it still runs.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Set<Long> received = ConcurrentHashMap.newKeySet();
    /** Counted down once every line the process wrote has been read (its output ended). */
    private final java.util.concurrent.CountDownLatch outputRead = new java.util.concurrent.CountDownLatch(1);
    private final List<Long> order = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private volatile IOException readFailure;
    /** Where its log (standard error) goes, for {@link #describe()}. */
    private final Path log;

    private ServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a server on loopback {@code port} (0: any) and waits until it listens. */
    public static ServerProcess start(int port) throws IOException, InterruptedException {
        return start(port, Duration.ZERO);
    }

    /**
     * Starts a server on loopback {@code port} (0: any) whose {@link Ledger#echo} takes
     * {@code echoDelay}, and waits until it listens.
     */
    public static ServerProcess start(int port, Duration echoDelay) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("hermod-server-process-", ".log");
        log.toFile().deleteOnExit();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                // why its connections close (I/O errors, timeouts, protocol errors, GOAWAY), when it
                // listened: a few lines per connection, timed, for describe()
                "-Dorg.slf4j.simpleLogger.log.dev.hermod.internal.protocol=debug",
                "-Dorg.slf4j.simpleLogger.log.dev.hermod.internal.invocation.RpcConnection=debug",
                "-Dorg.slf4j.simpleLogger.log.dev.hermod.internal.runtime.ServerImpl=debug",
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                RestartServerMain.class.getName(),
                String.valueOf(port), String.valueOf(echoDelay.toMillis()))
                // Its log (standard error) goes to a file of its own, not into the lines read here
                // (a log line written while the servant prints "got N" could split that line) nor
                // to the test's output, which a forked test JVM does not pass on: describe() shows
                // its end, so that a failing test says what the server saw.
                .redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
        List<String> skipped = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("port ")) {
            skipped.add(line);
        }
        if (line == null) {
            throw new AssertionError("the server process exited before it listened; output: " + skipped);
        }
        ServerProcess s = new ServerProcess(p, Integer.parseInt(line.substring(5)), log);
        Thread reader = new Thread(() -> s.read(out), "server-process-output");
        reader.setDaemon(true);
        reader.start();
        return s;
    }

    private void read(BufferedReader out) {
        try (out; java.io.Closeable done = outputRead::countDown) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.matches("got \\d+")) { // anything else (a JVM warning, say) is kept as a line
                    long seq = Long.parseLong(line.substring(4));
                    received.add(seq);
                    order.add(seq);
                } else {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            readFailure = e; // the process is gone; said by describe(), in case a line was lost with it
        }
    }

    /**
     * What this process reported, for a failing test's message: its port, how many calls it
     * received, whether its output was read to the end or broke off, and its other lines.
     */
    public String describe() {
        return "server on port " + port + ": " + received.size() + " calls received, output "
                + (outputRead.getCount() == 0 ? "read to its end" : "still open")
                + (readFailure == null ? "" : ", reading it failed: " + readFailure) + ", other lines " + lines
                + ", the end of its log: " + logTail();
    }

    /** The last lines of its log (standard error), or why they cannot be read. */
    private String logTail() {
        try {
            List<String> all = Files.readAllLines(log, UTF_8);
            return all.subList(Math.max(0, all.size() - 20), all.size()).toString();
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** Its target, {@code 127.0.0.1:port}, for a list. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The numbers its servant received. */
    public Set<Long> received() {
        return received;
    }

    /** The numbers its servant received, in the order it received them. */
    public List<Long> receivedInOrder() {
        return List.copyOf(order);
    }

    /** Begins a graceful shutdown (GOAWAY to its clients) and returns at once. */
    public void beginStop() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("stop\n".getBytes(UTF_8));
        in.flush();
    }

    /** Shuts it down gracefully and waits until it has exited; fails if it did not stop cleanly. */
    public void stop() throws IOException, InterruptedException {
        beginStop();
        awaitStopped();
    }

    /** Waits until a graceful shutdown has ended and the process exited. */
    public void awaitStopped() throws InterruptedException {
        String line = awaitLine("stopped ");
        if (!line.equals("stopped true") || !process.waitFor(30, SECONDS)) {
            throw new AssertionError("the server did not stop cleanly: " + line);
        }
    }

    /** Kills it (SIGKILL: no GOAWAY, its connections just break) and waits until it is gone. */
    public void kill() throws InterruptedException {
        // Through its handle: Process.destroyForcibly also closes the pipe of its output, and a
        // line still in the pipe is lost with it (seen in CI: "reading it failed: Stream closed"
        // and a call answered just before the kill, unseen). The handle only sends the signal.
        process.toHandle().destroyForcibly();
        process.waitFor(20, SECONDS);
        // What it wrote before it died is still in the pipe: read it all, so that received()
        // holds every call it answered.
        outputRead.await(20, SECONDS);
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // gone with the process
        }
    }

    private String awaitLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> skipped = new ArrayList<>();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line starting with '" + prefix + "'; other output: " + skipped);
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            skipped.add(line);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
