package dev.hermod;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link TransportBehaviours} in process with {@link Server.Builder#passByReference}: values are
 * handed over as objects, and every behaviour must stay what it is over TCP
 * ({@link PassByReferenceTest} shows that the codec is skipped indeed).
 */
final class CollocatedBehavioursTest extends TransportBehaviours {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Override
    Server.Builder listen(Server.Builder builder) {
        return builder.inProcess("collocated-" + NAMES.incrementAndGet()).passByReference(true);
    }

    @Override
    String scheme() {
        return "inproc";
    }
}
