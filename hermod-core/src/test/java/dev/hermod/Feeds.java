package dev.hermod;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** A contract whose operations stream results, arguments, or both. */
@Remote
public interface Feeds {
    /** Streams 0 to n - 1. */
    Flow.Publisher<Integer> count(int n);

    /** Streams {@code items} strings of {@code size} characters, as fast as the credit allows. */
    Flow.Publisher<String> blobs(int items, int size);

    /** Streams {@code after} items, then fails with the declared exception. */
    Flow.Publisher<String> failing(int after) throws NoSuchEmployee;

    /** Streams {@code after} items, then fails with an undeclared exception. */
    Flow.Publisher<String> crashing(int after);

    /** Streams numbers until canceled. */
    Flow.Publisher<Long> endless();

    /** Adds the numbers of a stream. */
    CompletionStage<Long> sum(Flow.Publisher<Integer> numbers);

    /** Answers each line as it comes, in capitals: both directions at once. */
    Flow.Publisher<String> shout(Flow.Publisher<String> lines);
}
