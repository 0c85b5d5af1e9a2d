package dev.hermod.internal.invocation;

import dev.hermod.internal.dispatch.Collocation;
import dev.hermod.internal.protocol.RequestTable;

/**
 * What a connection's calling end lends the serving end in process when a call hands its
 * arguments over by reference: the arguments of the pending call, and the place its result goes.
 * Reaches only calls still pending, so a call that ended (canceled, expired, failed) lends nothing
 * and takes nothing. Thread-safe.
 */
final class ByReference implements Collocation.Caller {
    private final RequestTable<Call> pending;

    ByReference(RequestTable<Call> pending) {
        this.pending = pending;
    }

    @Override
    public Object[] arguments(int requestId) {
        Call call = pending.get(requestId);
        // A copy of the array (not of its elements): what the servant does to the array itself
        // cannot reach a retry of the call.
        return call == null || !call.byReference ? null : call.args == null ? new Object[0] : call.args.clone();
    }

    @Override
    public void result(int requestId, Object value) {
        Call call = pending.get(requestId);
        if (call != null && call.byReference) {
            call.handedResult = value; // published before the REPLY frame is written
        }
    }
}
