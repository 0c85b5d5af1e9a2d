package dev.hermod.cli;

import static dev.hermod.cli.CliTesting.assertOneErrorLine;
import static dev.hermod.cli.CliTesting.errorLine;
import static dev.hermod.cli.CliTesting.run;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.Hermod;
import dev.hermod.Server;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code hermod call} on an operation that streams: items as they come, and Ctrl-C canceling on the server (issue 17 item 6). */
final class CallStreamTest {
    private static final TickerImpl TICKER = new TickerImpl();
    private static Server server;
    private static String target;

    @BeforeAll
    static void startServer() {
        server = Hermod.server().host("127.0.0.1").port(0).add("ticker", Ticker.class, TICKER).start();
        target = "tcp://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void streamedResult_printsOneJsonValuePerLine() {
        CliTesting.Run r = run("call", "--json", target, "ticker", "countdown", "40");

        assertThat(r.status()).as(r.toString()).isZero();
        StringBuilder expected = new StringBuilder();
        for (int i = 40; i >= 1; i--) {
            expected.append(i).append('\n');
        }
        assertThat(r.out().replace("\r\n", "\n")).isEqualTo(expected.toString());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void anOperationThatTakesAStream_isAUsageError() {
        CliTesting.Run r = run("call", target, "ticker", "count", "[]");

        assertOneErrorLine(r, 2, "see hermod call --help");
        assertThat(errorLine(r)).contains("count takes a stream, which the command line cannot send");
    }

    @Test
    void interrupted_theStreamIsCanceledOnTheServer() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", HermodCommand.class.getName(),
                "call", "--json", target, "ticker", "ticks", "20").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
            assertThat(out.readLine()).as("the first tick, printed as it came").isEqualTo("0");
            assertThat(out.readLine()).isEqualTo("1");
            assertThat(TICKER.ticksCanceled.getCount()).as("still streaming").isEqualTo(1);

            p.destroy(); // SIGTERM, which ends the JVM as Ctrl-C's SIGINT does: the shutdown hook cancels

            assertThat(TICKER.ticksCanceled.await(20, TimeUnit.SECONDS)).as("the server's stream canceled").isTrue();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}
