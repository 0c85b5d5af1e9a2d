package dev.hermod.tck;

import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK (1.0.4, {@code java.util.concurrent.Flow} flavour) on the publisher a
 * proxy returns for a streamed result: each subscription is one call over loopback, the TCK's
 * {@code request(n)} becomes credit on the wire and its {@code cancel()} a cancel on the server.
 * The failed publisher is a call to a service the server does not have.
 *
 * <p>Rules the TCK itself leaves untested (it reports them as skipped): 1.6, 1.7 (after onError),
 * 1.8, 1.10, 3.4 and 3.5, which no black-box test can observe, and 1.9's "subscribe must not
 * throw" beyond the null subscriber. Rule 1.11 is optional: the publisher is cold, each subscriber
 * gets its own call, so the multi-subscribe tests run and pass.
 */
public class ResultStreamTckTest extends FlowPublisherVerification<Long> {
    private final TckPeers peers = new TckPeers();

    public ResultStreamTckTest() {
        super(TckPeers.environment(), TckPeers.GC_TIMEOUT_MILLIS);
    }

    @AfterClass(alwaysRun = true)
    public void stopPeers() {
        peers.close();
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        return peers.tck.range(elements);
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        return peers.client.proxy(TckStreams.class, "nobody").range(3);
    }
}
