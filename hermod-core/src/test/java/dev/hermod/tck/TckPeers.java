package dev.hermod.tck;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import org.reactivestreams.tck.TestEnvironment;

/**
 * A server and a client on loopback for one TCK class, and the TCK's environment. The default
 * timeout is a bound on waiting for a signal that must come (generous: a loaded machine is not a
 * failure); the no-signal timeout is how long the TCK watches for a signal that must not come.
 */
final class TckPeers implements AutoCloseable {
    final TckStreamsImpl servant = new TckStreamsImpl();
    final Server server = Hermod.server().host("127.0.0.1").add("tck", TckStreams.class, servant).start();
    /**
     * Calls without the default 30 s deadline: a {@code take} call stays open until the class
     * ends, and a TCK class on a loaded machine runs longer than 30 s; an expired call would end
     * its argument stream under an earlier test's subscriber, which the TCK then reports as an
     * async error of whichever test runs (seen in CI: "take on service 'tck' has been answered").
     */
    final Client client = Hermod.client().target("tcp://127.0.0.1:" + server.port())
            .callTimeout(java.time.Duration.ofDays(365L * 100)).build();
    final TckStreams tck = client.proxy(TckStreams.class, "tck");

    static TestEnvironment environment() {
        return new TestEnvironment(10_000, 200, 20);
    }

    /**
     * How long rule 3.13's check lets a canceled stream drop its subscriber before it collects
     * garbage and looks (the TCK waits that long every time; its own default is 300 ms).
     */
    static final long GC_TIMEOUT_MILLIS = 1_000;

    @Override
    public void close() {
        servant.over.complete(null);
        client.close();
        server.close();
    }
}
