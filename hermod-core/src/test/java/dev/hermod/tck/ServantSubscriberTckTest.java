package dev.hermod.tck;

import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK's subscriber rules (1.0.4, Flow flavour, black box) on the subscriber
 * a server subscribes to a servant's result publisher with: the servant hands it to the TCK, whose
 * publisher then feeds it, while a caller over loopback asks for every item, so its credit is what
 * lets that subscriber request.
 *
 * <p>The white-box verification is not run: it drives the subscriber's demand from the test
 * ({@code triggerRequest}), and this subscriber's demand is the remote caller's credit, which the
 * TCK cannot steer. Rules the black-box TCK leaves untested, which it reports as skipped: 2.2, 2.4,
 * 2.6, 2.7, 2.8, 2.11, 2.12, 2.13's "failing signal invocation", 3.1, 3.8, 3.10, 3.11, 3.14, 3.15
 * and 3.16 (the subscription's side of rules a subscriber only relies on).
 */
public class ServantSubscriberTckTest extends FlowSubscriberBlackboxVerification<Long> {
    private final TckPeers peers = new TckPeers();

    public ServantSubscriberTckTest() {
        super(TckPeers.environment());
    }

    @AfterClass(alwaysRun = true)
    public void stopPeers() {
        peers.close();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Flow.Subscriber<Long> createFlowSubscriber() {
        peers.tck.relay().subscribe(new TckStreamsImpl.Count());
        return (Flow.Subscriber<Long>) TckStreamsImpl.next(peers.servant.resultSubscribers, "result subscriber");
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
