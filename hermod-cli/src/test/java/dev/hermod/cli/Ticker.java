package dev.hermod.cli;

import dev.hermod.Remote;
import java.util.concurrent.Flow;

/** Streamed results, for {@code hermod call} on a stream. */
@Remote
public interface Ticker {
    /** {@code from}, {@code from - 1}, ... 1. */
    Flow.Publisher<Integer> countdown(int from);

    /** 0, 1, 2, ... one every {@code millis}, until canceled. */
    Flow.Publisher<Long> ticks(long millis);

    /** Takes a stream, which the command line cannot send. */
    int count(Flow.Publisher<String> items);
}
