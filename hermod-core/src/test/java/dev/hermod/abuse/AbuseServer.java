package dev.hermod.abuse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The abuse suite's server process ({@link AbuseServerMain}) with a fixed heap and direct memory,
 * seen from the harness: its port, its probe, and its log file.
 *
 * <p>The JVM that runs it is the one running the harness unless the system property
 * {@code hermod.abuse.java} names another JDK's home (or its {@code java} binary).
 */
final class AbuseServer implements AutoCloseable {
    /** Heap and direct memory of the server process. */
    static final long HEAP = 256L << 20;
    static final long DIRECT = 128L << 20;

    private final String name;
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    private final int port;

    private AbuseServer(String name, Process process, Path log) throws InterruptedException {
        this.name = name;
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "abuse-server-output-" + name);
        reader.setDaemon(true);
        reader.start();
        this.port = Integer.parseInt(awaitLine("port ", 30).substring(5));
    }

    /** Starts a server process; {@code settings} are {@code name=value} server settings. */
    static AbuseServer start(String name, String... settings) throws IOException, InterruptedException {
        Path dir = Path.of("target", "abuse");
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(java(),
                "-Xms" + (HEAP >> 20) + "m", "-Xmx" + (HEAP >> 20) + "m",
                "-XX:MaxDirectMemorySize=" + (DIRECT >> 20) + "m",
                "-XX:+UseG1GC",
                "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showThreadName=false",
                "-Dio.netty.leakDetection.level=disabled",
                AbuseServerMain.class.getName()));
        command.addAll(List.of(settings));
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        return new AbuseServer(name, p, log);
    }

    /** The java binary to run the server with. */
    static String java() {
        String configured = System.getProperty("hermod.abuse.java");
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
        Path p = Path.of(configured);
        return Files.isDirectory(p) ? p.resolve("bin").resolve("java").toString() : p.toString();
    }

    int port() {
        return port;
    }

    /** The probe's counters now, with peaks since the last {@link #reset()}. */
    Map<String, Long> stats() throws InterruptedException {
        return parse(command("stats", "stats "));
    }

    /** Runs a full collection in the server, then returns its counters: {@code heap} is then the live heap. */
    Map<String, Long> gc() throws InterruptedException {
        return parse(command("gc", "stats "));
    }

    /** Collects, then starts new peaks from the current values. */
    void reset() throws InterruptedException {
        gc();
        command("reset", "reset");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The server's log so far. */
    List<String> logLines() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long logBytes() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized String command(String command, String answerPrefix) throws InterruptedException {
        if (!process.isAlive()) {
            throw new AssertionError("the server process " + name + " died (exit " + process.exitValue()
                    + "); log tail: " + tail());
        }
        commands.println(command);
        return awaitLine(answerPrefix, 60);
    }

    private String awaitLine(String prefix, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no '" + prefix + "' line from the server process " + name + " within "
                        + seconds + " s (" + (process.isAlive() ? "running" : "exited") + "); log tail: " + tail());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** The last lines of the log, for failure messages. */
    String tail() {
        List<String> all = logLines();
        return String.join("\n", all.subList(Math.max(0, all.size() - 15), all.size()));
    }

    private static Map<String, Long> parse(String line) {
        Map<String, Long> m = new HashMap<>();
        for (String part : line.substring(line.indexOf(' ') + 1).split(" ")) {
            int eq = part.indexOf('=');
            m.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        }
        return m;
    }

    @Override
    public void close() throws InterruptedException {
        commands.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
