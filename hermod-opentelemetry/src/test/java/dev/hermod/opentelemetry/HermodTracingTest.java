package dev.hermod.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client calls server A, whose servant calls server B, all over loopback TCP: one trace. */
final class HermodTracingTest {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private final HermodTracing tracing = new HermodTracing(otel);
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private Server serverB;
    private Client clientOfB;
    private Server serverA;
    private Client client;

    /** Answers itself, or passes the call to {@code next}. */
    private final class RelayImpl implements Relay {
        private final String name;
        private final Relay next;

        RelayImpl(String name, Relay next) {
            this.name = name;
            this.next = next;
        }

        @Override
        public String pass(String text) {
            return next == null ? name + ":" + text : name + ">" + next.pass(text);
        }

        @Override
        public void note(String text) {
            notes.add(name + ":" + text);
        }
    }

    @BeforeEach
    void start() {
        serverB = Hermod.server().host("127.0.0.1").add("relay", Relay.class, new RelayImpl("B", null))
                .intercept(tracing).start();
        clientOfB = Hermod.client().target("tcp://127.0.0.1:" + serverB.port()).intercept(tracing).build();
        serverA = Hermod.server().host("127.0.0.1")
                .add("relay", Relay.class, new RelayImpl("A", clientOfB.proxy(Relay.class, "relay")))
                .intercept(tracing).start();
        client = Hermod.client().target("tcp://127.0.0.1:" + serverA.port()).intercept(tracing).build();
    }

    @AfterEach
    void stop() {
        client.close();
        serverA.close();
        clientOfB.close();
        serverB.close();
        otel.close();
    }

    private static SpanData only(List<SpanData> all, SpanKind kind, String service) {
        List<SpanData> found = all.stream().filter(s -> s.getKind() == kind
                && service.equals(s.getAttributes().get(HermodTracing.RPC_SERVICE))).toList();
        assertThat(found).as("%s spans of %s in %s", kind, service, all).hasSize(1);
        return found.get(0);
    }

    @Test
    void chain_clientToAToB_isOneTraceWithTheRightParents() {
        Span root = otel.getTracer("test").spanBuilder("test").startSpan();
        String answer;
        try (Scope ignored = root.makeCurrent()) {
            answer = client.proxy(Relay.class, "relay").pass("hi");
        } finally {
            root.end();
        }
        assertThat(answer).isEqualTo("A>B:hi");
        await().until(() -> spans.getFinishedSpanItems().size() == 5);
        List<SpanData> all = spans.getFinishedSpanItems();

        List<SpanData> callsToA = all.stream().filter(s -> s.getKind() == SpanKind.CLIENT).toList();
        List<SpanData> served = all.stream().filter(s -> s.getKind() == SpanKind.SERVER).toList();
        assertThat(callsToA).hasSize(2);
        assertThat(served).hasSize(2);
        assertThat(all).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(root.getSpanContext().getTraceId()));

        // Which span is which: the client span whose parent is the test span called A.
        SpanData clientA = callsToA.stream().filter(s -> s.getParentSpanId().equals(root.getSpanContext().getSpanId()))
                .findFirst().orElseThrow();
        SpanData serverSpanA = served.stream().filter(s -> s.getParentSpanId().equals(clientA.getSpanId()))
                .findFirst().orElseThrow();
        SpanData clientB = callsToA.stream().filter(s -> s != clientA).findFirst().orElseThrow();
        SpanData serverSpanB = served.stream().filter(s -> s != serverSpanA).findFirst().orElseThrow();
        assertThat(clientB.getParentSpanId()).isEqualTo(serverSpanA.getSpanId());
        assertThat(serverSpanB.getParentSpanId()).isEqualTo(clientB.getSpanId());

        assertThat(clientA.getName()).isEqualTo("relay/pass");
        assertThat(clientA.getAttributes().get(HermodTracing.RPC_SYSTEM)).isEqualTo("hermod");
        assertThat(clientA.getAttributes().get(HermodTracing.RPC_METHOD)).isEqualTo("pass");
        assertThat(clientA.getAttributes().get(HermodTracing.OUTCOME)).isEqualTo("OK");
        assertThat(clientA.getAttributes().get(HermodTracing.KIND)).isEqualTo("SYNC");
        assertThat(serverSpanB.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void oneway_andBatchedCalls_getSpansLinkedAcrossTheWire() throws Exception {
        Relay relay = client.proxy(Relay.class, "relay");
        Hermod.oneway(relay).note("one");
        RelayAsync batch = Hermod.batch(client.proxy(RelayAsync.class, "relay"));
        batch.note("two");
        AsyncResult<String> passed = batch.pass("three");
        Hermod.flush(batch);
        assertThat(passed.get()).isEqualTo("A>B:three");
        await().until(() -> notes.size() == 2);
        // oneway: client + server; batched note: client + server; batched pass: client A, server A, client B, server B
        await().until(() -> spans.getFinishedSpanItems().size() == 8);
        List<SpanData> all = spans.getFinishedSpanItems();

        List<SpanData> clientNotes = all.stream().filter(s -> s.getKind() == SpanKind.CLIENT
                && s.getName().equals("relay/note")).toList();
        assertThat(clientNotes).extracting(s -> s.getAttributes().get(HermodTracing.KIND))
                .containsExactlyInAnyOrder("ONEWAY", "BATCHED");
        for (SpanData c : clientNotes) {
            SpanData server = all.stream().filter(s -> s.getKind() == SpanKind.SERVER
                    && s.getParentSpanId().equals(c.getSpanId())).findFirst().orElseThrow();
            assertThat(server.getTraceId()).isEqualTo(c.getTraceId());
            assertThat(server.getName()).isEqualTo("relay/note");
        }
        assertThat(all.stream().filter(s -> Boolean.TRUE.equals(s.getAttributes().get(HermodTracing.ONEWAY))))
                .isNotEmpty();
    }

    @Test
    void failedCall_spanHasErrorStatusAndTheException() {
        serverB.close();
        try {
            client.proxy(Relay.class, "relay").pass("lost");
        } catch (RuntimeException expected) {
            // A's servant cannot reach B: A answers with a failure
        }
        await().until(() -> spans.getFinishedSpanItems().stream().anyMatch(s -> s.getKind() == SpanKind.CLIENT
                && s.getParentSpanId().equals(io.opentelemetry.api.trace.SpanId.getInvalid())));
        SpanData clientA = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT
                && !s.getParentSpanContext().isValid()).findFirst().orElseThrow();
        assertThat(clientA.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(clientA.getAttributes().get(HermodTracing.OUTCOME)).isEqualTo("REMOTE_FAILURE");
        assertThat(clientA.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
    }
}
