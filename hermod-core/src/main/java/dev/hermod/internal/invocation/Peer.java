package dev.hermod.internal.invocation;

import dev.hermod.Client;
import dev.hermod.internal.contract.Contracts;
import dev.hermod.internal.dispatch.SerialExecutor;
import dev.hermod.internal.reference.ObjectTable;
import dev.hermod.internal.reference.ReferenceCounts;
import io.netty.util.Timer;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * What the connections of one client or one server share: the contracts they have read, the
 * deadline timer, the executor that runs callbacks, and the defaults of the calls made over them.
 * Calls through object references received on a connection use these; so a server calls a
 * client's object with the same machinery a client uses to call the server.
 *
 * <p>Also counts the objects exported and the references held over all its connections, so leaks
 * can be seen. Thread-safe; owned and released by the client or server that made it.
 */
public final class Peer {
    private final Contracts contracts;
    private final Timer timer;
    private final Executor callbacks;
    private final Executor sentLane;
    private final Duration callTimeout;
    private final Client client;
    private final int batchFlushSize;
    private final dev.hermod.internal.contract.Operation releaseOperation;
    private final ReferenceCounts references = new ReferenceCounts();

    /**
     * @param client the client this peer belongs to, or null for a server
     * @param callTimeout the deadline of calls whose options set none
     */
    public Peer(Contracts contracts, Timer timer, Executor callbacks, Duration callTimeout, Client client,
            int batchFlushSize) {
        this.contracts = contracts;
        this.timer = timer;
        this.callbacks = callbacks;
        this.sentLane = SerialExecutor.orRunHere(callbacks);
        this.callTimeout = callTimeout;
        this.client = client;
        this.batchFlushSize = batchFlushSize;
        this.releaseOperation = contracts.get(ObjectTable.Control.class).operation(ObjectTable.RELEASE);
    }

    /** The operation that releases a reference, with this side's codec. */
    dev.hermod.internal.contract.Operation releaseOperation() {
        return releaseOperation;
    }

    public Contracts contracts() {
        return contracts;
    }

    public Timer timer() {
        return timer;
    }

    /** Runs user callbacks of results; never an I/O thread. */
    public Executor callbacks() {
        return callbacks;
    }

    /** Runs sent callbacks one at a time, in the order requests were written. */
    public Executor sentLane() {
        return sentLane;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    /** The client this peer belongs to, or null for a server. */
    public Client client() {
        return client;
    }

    public int batchFlushSize() {
        return batchFlushSize;
    }

    /** Where the object tables of this side's connections count exports and references. */
    ReferenceCounts references() {
        return references;
    }

    /** Objects this side has exported and that are still served, over all its connections. */
    public int exportedObjects() {
        return references.exported();
    }

    /** References to the peers' objects this side holds and has not released, over all its connections. */
    public int importedReferences() {
        return references.imported();
    }
}
