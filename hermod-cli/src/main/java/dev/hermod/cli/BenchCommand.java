package dev.hermod.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.hermod.bench.BenchMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hermod bench [SCENARIO...] [options]}: runs {@code hermod-bench} with the arguments as
 * given ({@code hermod bench --help} prints its options).
 */
@Command(name = "bench", description = "Run the benchmarks of hermod-bench (hermod bench --help lists scenarios and options).")
final class BenchCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "scenarios and options, passed to hermod-bench")
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (PrintStream o = stream(out); PrintStream e = stream(err)) {
            return BenchMain.run(args.toArray(new String[0]), o, e);
        }
    }

    private static PrintStream stream(Writer writer) {
        return new PrintStream(new WriterStream(writer), true, StandardCharsets.UTF_8);
    }

    /** Bytes to a writer, a line at a time, so benchmark progress shows as it happens. */
    private static final class WriterStream extends OutputStream {
        private final Writer writer;
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        WriterStream(Writer writer) {
            this.writer = writer;
        }

        @Override
        public void write(int b) throws IOException {
            pending.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            pending.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    flush();
                    return;
                }
            }
        }

        @Override
        public void flush() throws IOException {
            // A line break never falls inside a UTF-8 sequence, and PrintStream flushes whole writes.
            writer.write(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
            writer.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
