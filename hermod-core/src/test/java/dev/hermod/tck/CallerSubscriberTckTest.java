package dev.hermod.tck;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK's subscriber rules (1.0.4, Flow flavour, black box) on the subscriber
 * a proxy subscribes to a caller's argument publisher with: the caller's publisher hands it to the
 * TCK, whose publisher then feeds it, while the servant over loopback asks for every item, so its
 * credit is what lets that subscriber request.
 *
 * <p>Skipped, and why: as in {@link ServantSubscriberTckTest} (the white box needs demand the
 * test can steer; here it is the servant's credit).
 */
public class CallerSubscriberTckTest extends FlowSubscriberBlackboxVerification<Long> {
    private final TckPeers peers = new TckPeers();

    public CallerSubscriberTckTest() {
        super(TckPeers.environment());
    }

    @AfterClass(alwaysRun = true)
    public void stopPeers() {
        peers.close();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Flow.Subscriber<Long> createFlowSubscriber() {
        BlockingQueue<Flow.Subscriber<? super Long>> made = new LinkedBlockingQueue<>();
        peers.tck.drain(made::add);
        return (Flow.Subscriber<Long>) TckStreamsImpl.next(made, "argument subscriber");
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }
}
