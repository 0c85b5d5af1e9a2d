package dev.hermod;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Netty does not use {@code sun.misc.Unsafe} on JDK 24 and later; Hermod's own buffers must work
 * without it too. The CI's JDK still lets Netty use it, so the test starts a JVM that forbids it
 * ({@code -Dio.netty.noUnsafe=true}), as a JDK 25 user's would be.
 */
final class NoUnsafeTest {
    @Test
    void nettyWithoutUnsafe_callsRoundTrip() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("hermod-no-unsafe", ".log");
        Process p = new ProcessBuilder(java, "-Dio.netty.noUnsafe=true", "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), NoUnsafeMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()) // read once it has exited: a hung child cannot hang the test
                .start();
        p.getOutputStream().close();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, UTF_8);
        Files.delete(log);

        assertThat(exited).as(output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("unsafe false").contains("ok hello 200000 30000 true");
    }
}
