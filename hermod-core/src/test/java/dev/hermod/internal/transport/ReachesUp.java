package dev.hermod.internal.transport;

/** A fixture of ArchitectureTest: the transport layer using the invocation layer above it. */
public final class ReachesUp {
    private ReachesUp() {}

    static boolean done(dev.hermod.internal.invocation.Call call) {
        return call.isDone();
    }
}
