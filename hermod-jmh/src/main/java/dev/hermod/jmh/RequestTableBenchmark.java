package dev.hermod.jmh;

import dev.hermod.internal.protocol.RequestTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The client's table of pending calls ({@code dev.hermod.internal.protocol.RequestTable}, what
 * each connection keeps), in the steady state of hermod-bench's throughput scenario:
 * {@link #inFlight} calls wait for replies, and each operation takes the reply of the oldest and
 * sends one more call, as {@code RpcConnection.onReply} and {@code RpcConnection.register} do.
 *
 * <p>Single-threaded, so it measures the table's own cost, not contention between the callers
 * and the event loop. Settings: {@link Defaults}.
 */
@State(Scope.Thread)
public class RequestTableBenchmark extends Defaults {

    /** Calls waiting for replies: 128 as hermod-bench's throughput scenario keeps in flight. */
    @Param("128")
    public int inFlight;

    private final RequestTable<PendingCall> pending = new RequestTable<>();
    /** The calls in flight, oldest at {@link #oldest}: replies come in the order of the requests. */
    private PendingCall[] calls;
    private int oldest;

    /** Fills the table with {@link #inFlight} calls. */
    @Setup(Level.Trial)
    public void setUp() {
        calls = new PendingCall[inFlight];
        for (int i = 0; i < inFlight; i++) {
            calls[i] = new PendingCall();
            register(calls[i]);
        }
    }

    /**
     * Takes the reply to the oldest call, then sends that slot's next call.
     *
     * @param bh consumes the call the reply found and the new call's id
     */
    @Benchmark
    public void sendAndReply(Blackhole bh) {
        PendingCall call = calls[oldest];
        bh.consume(pending.remove(call.requestId));
        bh.consume(register(call));
        oldest = oldest + 1 == calls.length ? 0 : oldest + 1;
    }

    /** The calls waiting; for the test. */
    int pendingCalls() {
        return pending.size();
    }

    /** As {@code RpcConnection.register}: the table gives the id, the call keeps it. */
    private int register(PendingCall call) {
        int id = pending.add(call);
        call.requestId = id;
        return id;
    }

    /** Stands for {@code Call}: what the table holds, and where the id is kept. */
    static final class PendingCall {
        int requestId;
    }
}
