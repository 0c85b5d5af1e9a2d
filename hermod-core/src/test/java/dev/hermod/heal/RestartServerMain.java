package dev.hermod.heal;

import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A {@link Ledger} server (and a {@link Feed}) in a JVM of its own, for the rolling-restart,
 * references-lost and replica tests (started by {@link ServerProcess}): listens on 127.0.0.1
 * and the port given (0 for any), its {@code echo} taking the milliseconds of the second argument if given; prints {@code port <n>} once it listens and {@code got <seq>}
 * for every call its servant runs; on the line {@code stop} it shuts down gracefully, prints
 * {@code stopped} and exits; when its standard input closes it exits at once.
 */
final class RestartServerMain {
    private RestartServerMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        long echoDelay = args.length > 1 ? Long.parseLong(args[1]) : 0;
        Ledger ledger = new Ledger() {
            @Override
            public long echo(long seq) {
                got(seq);
                if (echoDelay > 0) {
                    try {
                        Thread.sleep(echoDelay); // a slow replica
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return seq;
            }

            @Override
            public long record(long seq) {
                got(seq);
                try {
                    Thread.sleep(5); // calls are in the servant when the restart begins
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return seq;
            }

            @Override
            public void note(long seq) {
                got(seq);
            }

            private void got(long seq) {
                synchronized (out) {
                    out.println("got " + seq);
                    out.flush();
                }
            }
        };
        Server server = Hermod.server().host("127.0.0.1").port(Integer.parseInt(args[0]))
                .shutdownGracePeriod(Duration.ofSeconds(20))
                .add("ledger", Ledger.class, ledger).add("feed", Feed.class, new FeedImpl()).start();
        synchronized (out) {
            out.println("port " + server.port());
            out.flush();
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("stop")) {
                server.shutdown();
                boolean done = server.awaitTermination(Duration.ofSeconds(30));
                synchronized (out) {
                    out.println("stopped " + done);
                    out.flush();
                }
                System.exit(0);
            }
        }
        server.shutdownNow();
        System.exit(0);
    }
}
