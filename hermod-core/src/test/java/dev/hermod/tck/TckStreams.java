package dev.hermod.tck;

import dev.hermod.Remote;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The contract the Reactive Streams TCK runs against: each operation puts one of Hermod's four
 * stream roles in the TCK's hands, in a real call over loopback.
 */
@Remote
public interface TckStreams {
    /** Streams 0 to n - 1 ({@code Long.MAX_VALUE} for no end): the caller's result publisher. */
    Flow.Publisher<Long> range(long n);

    /**
     * Streams what the test feeds to the server's subscriber of the servant's publisher: the
     * servant's publisher hands that subscriber to the test instead of subscribing it.
     */
    Flow.Publisher<Long> relay();

    /** Hands the argument stream, the servant's publisher, to the test; answered when the test ends. */
    CompletionStage<Void> take(Flow.Publisher<Long> items);

    /** Counts the items of an argument stream, asking for all of them. */
    CompletionStage<Long> drain(Flow.Publisher<Long> items);
}
