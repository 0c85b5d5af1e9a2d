package dev.hermod.cli;

import java.io.PrintWriter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import dev.hermod.RemoteException;
import dev.hermod.RpcException;
import picocli.CommandLine;

/** Turns a failed command into one line for a person, an exit status and, on demand, the detail. */
final class Failures {
    private Failures() {}

    /** One failure, ready to print. */
    record Report(String line, int exitCode, Throwable detail) {
        /** Prints what {@code --verbose} adds: the stack trace, and the server's for a remote failure. */
        void print(PrintWriter err) {
            if (detail instanceof RemoteException r && r.traceback().isPresent()) {
                r.traceback().get().printStackTrace(err);
            } else {
                detail.printStackTrace(err);
            }
        }
    }

    static Report describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof CommandFailure f) {
            return new Report(firstLine(f.getMessage()), f.exitCode(), f.getCause() == null ? f : f.getCause());
        }
        if (t instanceof RemoteException r) {
            String message = r.traceback().flatMap(tb -> tb.message()).orElse(null);
            return new Report("remote " + r.remoteClassName() + (message == null ? "" : ": " + firstLine(message)),
                    CommandLine.ExitCode.SOFTWARE, r);
        }
        if (t instanceof RpcException r) {
            return new Report(firstLine(r.getMessage()) + " [" + r.status() + "]", CommandLine.ExitCode.SOFTWARE, r);
        }
        if (t instanceof InterruptedException) {
            return new Report("interrupted", CommandLine.ExitCode.SOFTWARE, t);
        }
        return new Report(t.getClass().getName() + (t.getMessage() == null ? "" : ": " + firstLine(t.getMessage())),
                CommandLine.ExitCode.SOFTWARE, t);
    }

    /** The promise is one line: detail that spans lines (Jackson's source excerpts) is for --verbose. */
    static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** A failure the command already put into words, with its exit status. */
    static final class CommandFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        CommandFailure(String message, int exitCode, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        int exitCode() {
            return exitCode;
        }
    }
}
