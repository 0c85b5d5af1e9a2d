package dev.hermod.internal.runtime;

import dev.hermod.intercept.CallOutcome;
import dev.hermod.intercept.ServerCall;
import dev.hermod.intercept.ServerInterceptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the admin page shows of the calls a server serves, gathered as a {@link ServerInterceptor}
 * (the seam every integration uses): per operation the calls, failures and a latency histogram
 * (HdrHistogram, µs, the last interval and since start), and the calls in flight with their start.
 * Thread-safe.
 */
final class AdminStats implements ServerInterceptor {
    private static final Object STARTED = new Object();
    private final ConcurrentMap<String, Op> operations = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, InFlight> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** One call being served. */
    record InFlight(String service, String operation, String peer, long startNanos) {}

    /** One operation's figures. */
    private static final class Op {
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();
        final Recorder recorder = new Recorder(3);
        final Histogram total = new Histogram(3);
    }

    @Override
    public void onStart(ServerCall call) {
        long id = ids.incrementAndGet();
        call.attributes().put(STARTED, id);
        inFlight.put(id, new InFlight(call.service(), call.operation(), String.valueOf(call.peer()), System.nanoTime()));
    }

    @Override
    public void onComplete(ServerCall call, CallOutcome outcome) {
        Object id = call.attributes().get(STARTED);
        if (id != null) {
            inFlight.remove(id);
        }
        Op op = operations.computeIfAbsent(call.service() + "." + call.operation(), k -> new Op());
        op.calls.increment();
        if (outcome.status().isPresent()) {
            op.failures.increment();
        }
        op.recorder.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(outcome.duration().toNanos())));
    }

    /** The calls in flight now, oldest first, with their age in milliseconds. */
    List<Map<String, Object>> inFlight() {
        long now = System.nanoTime();
        List<InFlight> all = new ArrayList<>(inFlight.values());
        all.sort((a, b) -> Long.compare(a.startNanos(), b.startNanos()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (InFlight f : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", f.service());
            m.put("operation", f.operation());
            m.put("peer", f.peer());
            m.put("ageMillis", TimeUnit.NANOSECONDS.toMillis(now - f.startNanos()));
            out.add(m);
        }
        return out;
    }

    /**
     * Per operation: calls and failures since start, and latency percentiles (µs) since start; the
     * page turns the counts into rates between two reads.
     */
    synchronized List<Map<String, Object>> operations() {
        List<Map<String, Object>> out = new ArrayList<>();
        operations.forEach((name, op) -> {
            op.total.add(op.recorder.getIntervalHistogram());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("operation", name);
            m.put("calls", op.calls.sum());
            m.put("failures", op.failures.sum());
            m.put("p50Micros", op.total.getValueAtPercentile(50));
            m.put("p99Micros", op.total.getValueAtPercentile(99));
            m.put("maxMicros", op.total.getMaxValue());
            out.add(m);
        });
        out.sort((a, b) -> ((String) a.get("operation")).compareTo((String) b.get("operation")));
        return out;
    }
}
