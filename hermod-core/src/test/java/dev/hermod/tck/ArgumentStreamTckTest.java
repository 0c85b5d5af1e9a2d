package dev.hermod.tck;

import dev.hermod.TestPublisher;
import java.io.IOException;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK (1.0.4, Flow flavour) on the publisher a servant receives for a
 * streamed argument: the caller passes a publisher of {@code elements} items, and the TCK
 * subscribes to what Hermod hands the servant, so its {@code request(n)} becomes credit sent back
 * to the caller over loopback. The failed publisher is the argument stream of a caller whose own
 * publisher fails at once.
 *
 * <p>Rule 1.11 (optional): an argument stream takes one subscriber, since its items cross the
 * wire once; a second subscriber gets {@code onSubscribe} then {@code onError}, and the TCK skips
 * the multi-subscribe tests. Rules left untested by the TCK itself: as in
 * {@link ResultStreamTckTest}.
 */
public class ArgumentStreamTckTest extends FlowPublisherVerification<Long> {
    private final TckPeers peers = new TckPeers();

    public ArgumentStreamTckTest() {
        super(TckPeers.environment(), TckPeers.GC_TIMEOUT_MILLIS);
    }

    @AfterClass(alwaysRun = true)
    public void stopPeers() {
        peers.close();
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        peers.tck.take(new TestPublisher<>(elements, i -> i, null));
        return TckStreamsImpl.next(peers.servant.arguments, "argument publisher");
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        peers.tck.take(s -> {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            s.onError(new IOException("disk gone"));
        });
        return TckStreamsImpl.next(peers.servant.arguments, "argument publisher");
    }
}
