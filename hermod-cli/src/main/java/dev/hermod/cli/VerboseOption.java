package dev.hermod.cli;

import picocli.CommandLine.Option;

/** The {@code --verbose} option the subcommands share (a picocli mixin). */
final class VerboseOption {
    @Option(names = {"-v", "--verbose"}, order = 100,
            description = "on failure, print the stack trace, and the server's traceback for a remote failure")
    boolean on;
}
