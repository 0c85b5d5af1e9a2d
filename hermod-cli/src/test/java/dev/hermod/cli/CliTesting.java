package dev.hermod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine;

/** Runs the command in-process with its own output streams, as the command tests do. */
final class CliTesting {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private CliTesting() {}

    /** One in-process run of the command: its status and everything it printed. */
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        return run(HermodCommand.commandLine(), args);
    }

    /** Runs with {@code input} as standard input. */
    static Run runWithInput(String input, String... args) {
        InputStream in = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
        return run(HermodCommand.commandLine(in, "list", "describe", "call"), args);
    }

    static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /** Exit status {@code status} and exactly one line on standard error, {@code hermod: } and no stack. */
    static void assertOneErrorLine(Run r, int status, String... fragments) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.err().lines()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("hermod: ").doesNotContain("\tat ");
        if (fragments.length > 0) {
            assertThat(r.err()).contains(fragments);
        }
    }

    /** The one error line without its {@code hermod: } prefix and the help hint usage errors end with. */
    static String errorLine(Run r) {
        return r.err().strip().replaceFirst("^hermod: ", "").replaceFirst(" \\(see hermod [a-z]+ --help\\)$", "");
    }
}
