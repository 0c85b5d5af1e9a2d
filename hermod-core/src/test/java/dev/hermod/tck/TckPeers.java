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
    final Client client = Hermod.client("tcp://127.0.0.1:" + server.port());
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
