package dev.hermod.micrometer;

import dev.hermod.intercept.CallOutcome;
import dev.hermod.intercept.ClientCall;
import dev.hermod.intercept.ClientInterceptor;
import dev.hermod.intercept.InterceptedCall;
import dev.hermod.intercept.ServerCall;
import dev.hermod.intercept.ServerInterceptor;
import dev.hermod.intercept.Vitals;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer metrics for a Hermod client or server: register one instance with
 * {@code Client.Builder.intercept(...)} or {@code Server.Builder.intercept(...)}.
 *
 * <pre>{@code
 * MeterRegistry registry = ...;
 * Server server = Hermod.server().port(4061).add("employees", Employees.class, impl)
 *         .intercept(new HermodMetrics(registry)).start();
 * }</pre>
 *
 * <p>The meters, {@code SIDE} being {@code client} or {@code server}:
 * <ul>
 *   <li>{@code hermod.SIDE.calls} (timer): the duration of each call, tagged {@code service},
 *       {@code operation} and {@code outcome} ({@code OK}, {@code DECLARED_EXCEPTION} or the
 *       status name, e.g. {@code UNAVAILABLE}); on the client also {@code kind} ({@code SYNC},
 *       {@code ASYNC}, {@code ONEWAY}, {@code BATCHED}, {@code STREAM}: a streamed call is timed
 *       until its stream ends);
 *   <li>{@code hermod.SIDE.calls.active} (gauge): calls in flight, tagged {@code service} and
 *       {@code operation};
 *   <li>{@code hermod.SIDE.bytes.sent}, {@code hermod.SIDE.bytes.received} (function counters,
 *       base unit bytes): what went over the connections;
 *   <li>{@code hermod.SIDE.connections.open} (gauge);
 *   <li>{@code hermod.SIDE.backlog} (gauge, bytes): frames held back by flow control;
 *   <li>{@code hermod.client.calls.waiting} (gauge): calls waiting for a connection with room;
 *   <li>{@code hermod.client.retries} (function counter): calls sent again after a failure.
 *   <li>{@code hermod.server.deduplicated.replays} (function counter): {@code @Deduplicated} calls
 *       answered with the reply of their first run instead of running again.
 * </ul>
 * A call on an object reference is tagged with its contract's simple name as {@code service}.
 * Every meter also carries the common tags given to the constructor: give each client or server
 * registered on one registry a tag of its own (e.g. {@code target}), as two would otherwise share
 * the gauges of the first.
 *
 * <p>Thread-safe; one instance may serve one client and one server at once (its client side
 * sees the calls of the client, its server side those of the server).
 *
 * @since 0.3
 */
public final class HermodMetrics implements ClientInterceptor, ServerInterceptor {
    private final MeterRegistry registry;
    private final Tags common;
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, AtomicInteger> active = new ConcurrentHashMap<>();

    /**
     * Metrics into {@code registry}, without common tags.
     *
     * @param registry where the meters go
     */
    public HermodMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /**
     * Metrics into {@code registry}, each meter with {@code commonTags}.
     *
     * @param registry where the meters go
     * @param commonTags tags added to every meter
     */
    public HermodMetrics(MeterRegistry registry, Iterable<Tag> commonTags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.common = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
    }

    /** A timer or gauge's identity: side, service, operation, and (timers only) outcome and kind. */
    private record Key(boolean client, String service, String operation, String outcome, ClientCall.Kind kind) {}

    @Override
    public void bind(Vitals vitals) {
        String p = "hermod." + vitals.side() + ".";
        FunctionCounter.builder(p + "bytes.sent", vitals, Vitals::bytesSent).baseUnit("bytes").tags(common)
                .description("Bytes written to the connections").register(registry);
        FunctionCounter.builder(p + "bytes.received", vitals, Vitals::bytesReceived).baseUnit("bytes").tags(common)
                .description("Bytes read from the connections").register(registry);
        Gauge.builder(p + "connections.open", vitals, Vitals::openConnections).tags(common)
                .description("Open connections").register(registry);
        Gauge.builder(p + "backlog", vitals, Vitals::backlogBytes).baseUnit("bytes").tags(common)
                .description("Bytes of frames held back by flow control").register(registry);
        if (vitals.side().equals("client")) {
            Gauge.builder(p + "calls.waiting", vitals, Vitals::callsWaitingForConnection).tags(common)
                    .description("Calls waiting for a connection with room").register(registry);
            FunctionCounter.builder(p + "retries", vitals, Vitals::retries).tags(common)
                    .description("Calls sent again after a failure").register(registry);
        } else {
            FunctionCounter.builder(p + "deduplicated.replays", vitals, Vitals::deduplicatedReplays).tags(common)
                    .description("@Deduplicated calls answered with the reply of their first run").register(registry);
            FunctionCounter.builder(p + "deduplicated.evictions", vitals, Vitals::deduplicationEvictions).tags(common)
                    .description("Replies of @Deduplicated calls dropped before their window ended, to stay within"
                            + " the bounds: a call sent again after that runs again").register(registry);
        }
    }

    @Override
    public void onStart(ClientCall call) {
        inFlight(true, call).incrementAndGet();
    }

    @Override
    public void onComplete(ClientCall call, CallOutcome outcome) {
        inFlight(true, call).decrementAndGet();
        timer(new Key(true, call.service(), call.operation(), outcome.code(), call.kind()))
                .record(outcome.duration().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void onStart(ServerCall call) {
        inFlight(false, call).incrementAndGet();
    }

    @Override
    public void onComplete(ServerCall call, CallOutcome outcome) {
        inFlight(false, call).decrementAndGet();
        timer(new Key(false, call.service(), call.operation(), outcome.code(), null))
                .record(outcome.duration().toNanos(), TimeUnit.NANOSECONDS);
    }

    private AtomicInteger inFlight(boolean client, InterceptedCall call) {
        Key key = new Key(client, call.service(), call.operation(), null, null);
        AtomicInteger count = active.get(key);
        return count != null ? count : active.computeIfAbsent(key, k -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder(side(k) + "calls.active", n, AtomicInteger::get).tags(common)
                    .tags("service", k.service(), "operation", k.operation())
                    .description("Calls in flight").strongReference(true).register(registry);
            return n;
        });
    }

    private Timer timer(Key key) {
        Timer t = timers.get(key);
        return t != null ? t : timers.computeIfAbsent(key, k -> {
            Timer.Builder b = Timer.builder(side(k) + "calls").tags(common)
                    .tags("service", k.service(), "operation", k.operation(), "outcome", k.outcome())
                    .description(k.client() ? "Calls made" : "Calls served");
            if (k.kind() != null) {
                b.tag("kind", k.kind().name());
            }
            return b.register(registry);
        });
    }

    private static String side(Key k) {
        return k.client() ? "hermod.client." : "hermod.server.";
    }

    @Override
    public String toString() {
        return "HermodMetrics[" + registry.getClass().getSimpleName() + common + "]";
    }
}
