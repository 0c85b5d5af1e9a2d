package dev.hermod.bench;

/** A benchmark saw a wrong outcome (a lost byte, a mismatched reply): its numbers mean nothing. */
final class BenchmarkFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BenchmarkFailure(String message) {
        super(message);
    }

    BenchmarkFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
