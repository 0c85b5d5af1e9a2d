package dev.hermod.examples.streams;

import dev.hermod.Remote;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** A contract with streams, served with Reactor, for {@link ReactiveInteropTest}. */
@Remote
public interface Numbers {
    /** Streams 0 to n - 1. */
    Flow.Publisher<Long> count(int n);

    /** Streams 0, 1, 2, ... until canceled. */
    Flow.Publisher<Long> endless();

    /** Adds the numbers of a stream. */
    CompletionStage<Long> sum(Flow.Publisher<Long> numbers);
}
