package dev.hermod.abuse;

import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The server process of the abuse suite: a Hermod server with default settings (unless arguments
 * of the form {@code name=value} change some) serving {@link Abuse} on 127.0.0.1 and an ephemeral
 * port, with a probe that the harness drives through standard input.
 *
 * <p>Prints {@code port <n>} once it listens. Then answers each command line on standard output
 * with one line: {@code stats} (memory and servant counters, with the peaks since the last
 * {@code reset}; see {@link MemoryProbe}), {@code gc} (the same after full collections, so that
 * {@code heap} is the live heap), {@code reset}. Exits when standard input closes, so it cannot
 * outlive the harness. The log goes to standard error.
 */
public final class AbuseServerMain {
    private AbuseServerMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        AbuseServant servant = new AbuseServant();
        Server.Builder builder = Hermod.server().host("127.0.0.1").add("abuse", Abuse.class, servant);
        for (String arg : args) {
            configure(builder, arg);
        }
        Server server = builder.start();
        MemoryProbe probe = MemoryProbe.start();
        out.println("port " + server.port());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "gc" -> {
                    probe.gc();
                    out.println(stats(probe, servant));
                }
                case "stats" -> out.println(stats(probe, servant));
                case "reset" -> {
                    probe.reset();
                    servant.resetPeak();
                    out.println("reset");
                }
                default -> out.println("unknown command " + line);
            }
        }
        server.shutdownNow();
    }

    /** Applies one {@code name=value} argument to the builder. */
    private static void configure(Server.Builder b, String arg) {
        int eq = arg.indexOf('=');
        String name = arg.substring(0, eq);
        String value = arg.substring(eq + 1);
        switch (name) {
            case "maxInFlightPerConnection" -> b.maxInFlightPerConnection(Integer.parseInt(value));
            case "maxFrameSize" -> b.maxFrameSize(Integer.parseInt(value));
            case "heartbeatMillis" -> b.heartbeatInterval(Duration.ofMillis(Long.parseLong(value)));
            default -> throw new IllegalArgumentException("unknown setting " + name);
        }
    }

    private static String stats(MemoryProbe probe, AbuseServant servant) {
        return "stats " + probe.figures() + " inServant=" + servant.inServant()
                + " peakInServant=" + servant.peakInServant() + " served=" + servant.served()
                + " threads=" + Thread.activeCount() + " " + pool();
    }

    /** What Netty's default allocator (the one Hermod uses) holds in direct memory. */
    private static String pool() {
        return "nettyDirect=" + ((io.netty.buffer.ByteBufAllocatorMetricProvider) io.netty.buffer.ByteBufAllocator.DEFAULT)
                .metric().usedDirectMemory();
    }
}
