package dev.hermod.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code hermod} command: works with any Hermod server from a shell, the way
 * {@code grpcurl} works with gRPC servers. Its subcommands are {@code demo} (the VM-management
 * demo, in-process), {@code describe} (what a server offers), {@code call} (invoke an operation
 * with JSON arguments), {@code serve} (serve servant classes) and {@code bench} (the benchmarks of
 * {@code hermod-bench}).
 *
 * <p>Every failure is one line on standard error starting with {@code hermod:}, and a non-zero
 * exit status: 2 for a usage error (bad option, bad target, bad JSON argument), 1 when the call
 * or the server failed. {@code --verbose} adds the stack trace, and for a failure on the server
 * the remote traceback.
 *
 * <p>{@link #commandLine()} builds a fresh, independent command line each time, so tests run
 * commands in-process with their own output streams.
 *
 * @since 0.1
 */
@Command(name = "hermod",
        description = "Run the demo; describe, call, serve and benchmark Hermod services.",
        mixinStandardHelpOptions = true,
        versionProvider = HermodCommand.Version.class,
        subcommands = {DemoCommand.class, DescribeCommand.class, CallCommand.class, ServeCommand.class, BenchCommand.class})
public final class HermodCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    HermodCommand() {}

    /**
     * Runs the command line and exits the JVM with its status.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        // The library logs only what a person should see; --verbose does not change that.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(commandLine().execute(args));
    }

    /** Returns a new command line with Hermod's error handling; its output goes to System.out/err. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new HermodCommand());
        cl.setParameterExceptionHandler(HermodCommand::usageError);
        cl.setExecutionExceptionHandler(HermodCommand::failure);
        // bench hands every argument, options included, to BenchMain unchanged.
        cl.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("hermod: missing subcommand (demo, describe, call, serve or bench); see hermod --help");
        return CommandLine.ExitCode.USAGE;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("hermod: " + e.getMessage() + " (see " + cl.getCommandSpec().qualifiedName() + " --help)");
        if (verbose(cl)) {
            e.printStackTrace(err);
        }
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int failure(Exception e, CommandLine cl, ParseResult parsed) {
        PrintWriter err = cl.getErr();
        Failures.Report report = Failures.describe(e);
        err.println("hermod: " + report.line());
        if (verbose(cl)) {
            report.print(err);
        }
        err.flush();
        return report.exitCode();
    }

    private static boolean verbose(CommandLine cl) {
        return cl.getMixins().values().stream().anyMatch(m -> m instanceof VerboseOption v && v.on);
    }

    /** The version, from the jar manifest when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = HermodCommand.class.getPackage().getImplementationVersion();
            return new String[] {"hermod " + (v == null ? "(development build)" : v)
                    + ", Java " + Runtime.version()};
        }
    }
}
