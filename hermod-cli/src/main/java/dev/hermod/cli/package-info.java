/**
 * The {@code hermod} command line: {@link dev.hermod.cli.HermodCommand} and its subcommands.
 * Everything except the entry point is package-private.
 */
package dev.hermod.cli;
