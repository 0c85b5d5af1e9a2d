package dev.hermod.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of what a peer can send: the frame decoder and handshake on
 * both sides of a link, each frame type's parser, and the default codec's limit walk and decoder
 * ({@link FuzzHarness}). A finding is any exception that is not the protocol's typed refusal, a
 * connection closed for an internal error, or an out-of-memory error (the JVM runs with 512 MiB).
 *
 * <p>{@link #quick} fuzzes for a few seconds in every build; {@link #longRun} (tag
 * {@code long-fuzz}) is the long run: {@code ./mvnw -pl hermod-fuzz -am verify -Pfuzz-long}.
 * Inputs that found something are written under {@code src/test/resources} and replayed by every
 * later run.
 */
final class FrameFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void quick(byte[] data) {
        FuzzHarness.run(data);
    }

    @Tag("long-fuzz")
    @FuzzTest(maxDuration = "3h", maxExecutions = 10_000_000)
    void longRun(byte[] data) {
        FuzzHarness.run(data);
    }
}
