package dev.hermod;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

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
        Process p = new ProcessBuilder(java, "-Dio.netty.noUnsafe=true", "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), NoUnsafeMain.class.getName())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(); // to its end: the JVM has exited or is exiting
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String output = new String(out, UTF_8);

        assertThat(exited).as(output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("unsafe false").contains("ok hello 200000 30000 true");
    }
}
