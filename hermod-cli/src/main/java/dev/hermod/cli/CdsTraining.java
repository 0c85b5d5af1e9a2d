package dev.hermod.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;

import dev.hermod.examples.vm.VmLab;
import picocli.CommandLine;

/**
 * The training run that the build records a class data sharing archive from (an AppCDS archive
 * on JDK 17 to 24, an AOT cache on JDK 25+): it runs {@code list}, {@code describe} and
 * {@code call}, their usage errors included, against an in-process VM lab, so that the archive
 * holds the classes those commands load and {@code bin/hermod} starts them quickly. Run by
 * {@code java -Dhermod.cds.training=true -jar hermod.jar} with the archiving option; prints
 * nothing.
 */
final class CdsTraining {
    private CdsTraining() {}

    static void run() {
        // What main() does for these commands: the training must load what they load.
        System.setProperty("io.netty.transport.noNative", "true");
        System.setProperty("io.netty.jfr.enabled", "false");
        try (VmLab lab = VmLab.builder().host("127.0.0.1").port(0).vms(4).latency(Duration.ZERO).start()) {
            String target = lab.target();
            String[][] runs = {
                {"list", target},
                {"describe", target},
                {"describe", "--json", target, "vms.get"},
                {"call", target, "vms", "get", "\"vm-001\""},
                {"call", "--json", target, "vms", "list"},
                {"call", "-d", "[\"vm-001\"]", "-H", "user=training", target, "vms", "get"},
                {"call", "--template", target, "vms", "get"},
                {"call", target, "vms", "get"},
                {"call", target, "vms", "get", "42"},
                {"call", target, "vms", "nothing"},
                {"describe", "127.0.0.1:1"},
                {"--help"},
            };
            for (String[] args : runs) {
                CommandLine cl = HermodCommand.commandLine(new ByteArrayInputStream(new byte[0]),
                        "list", "describe", "call");
                cl.setOut(new PrintWriter(Writer.nullWriter()));
                cl.setErr(new PrintWriter(Writer.nullWriter()));
                cl.execute(args);
            }
        }
    }
}
