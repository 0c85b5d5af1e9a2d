package dev.hermod.examples.streams;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.FlowAdapters;
import reactor.core.publisher.Flux;

/**
 * Hermod's streams with the libraries Java users already have, over loopback, through
 * {@code org.reactivestreams.FlowAdapters} alone (Hermod depends on none of them): a result
 * stream consumed by Reactor and by RxJava, a Reactor {@code Flux} and a JDK
 * {@code SubmissionPublisher} passed as stream arguments, the servant itself written with Reactor.
 * Back-pressure is observed as counts (what the servant emitted against what the consumer took),
 * never as times.
 */
@Timeout(value = 60, unit = SECONDS)
final class ReactiveInteropTest {
    /**
     * Hermod's widest window (small items): credit never runs more than that many items ahead of
     * what was delivered (PROTOCOL.md section 26.3).
     */
    private static final int MAX_WINDOW = 1024;
    /**
     * Items a Hermod producer asks its publisher for beyond those the transport has written, at
     * most: 16 large items, or as many small ones as fit in 256 KiB, up to this (PROTOCOL.md
     * section 26.3).
     */
    private static final int MAX_AHEAD = 1024;

    private final NumbersImpl servant = new NumbersImpl();
    private Server server;
    private Client client;
    private Numbers numbers;

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").add("numbers", Numbers.class, servant).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        numbers = client.proxy(Numbers.class, "numbers");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void resultAsFlux_limitRateBoundsWhatTheServantEmitsAhead() {
        AtomicLong delivered = new AtomicLong();
        AtomicLong ahead = new AtomicLong();
        List<Long> got = Flux.from(FlowAdapters.toPublisher(numbers.count(2000)))
                .limitRate(10)
                .doOnNext(x -> {
                    long d = delivered.incrementAndGet();
                    // emitted by the servant and not yet here: on the wire, or buffered
                    ahead.accumulateAndGet(servant.emitted.get() - d, Math::max);
                })
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(got).containsExactlyElementsOf(LongStream.range(0, 2000).boxed().toList());
        assertThat(ahead.get()).isLessThanOrEqualTo(10); // limitRate(10): never more asked for
        assertThat(servant.largestRequest.get()).isLessThanOrEqualTo(10);
    }

    @Test
    void resultAsFlux_takeCancelsOnTheServer() throws Exception {
        List<Long> first = Flux.from(FlowAdapters.toPublisher(numbers.endless()))
                .take(5)
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(first).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(servant.canceled.await(20, SECONDS)).isTrue();
    }

    @Test
    void resultAsFlowable_emitsOnlyWhatRxJavaRequested_thenCancels() throws Exception {
        TestSubscriber<Long> rx = Flowable.fromPublisher(FlowAdapters.toPublisher(numbers.endless())).test(0);
        rx.request(3);
        rx.awaitCount(3);
        rx.assertValues(0L, 1L, 2L);
        assertThat(servant.emitted.get()).isEqualTo(3); // credit for 3 items, so 3 were asked for
        rx.cancel();
        assertThat(servant.canceled.await(20, SECONDS)).isTrue();
    }

    @Test
    void fluxAsArgument_askedForNoMoreThanTheServantsCredit() throws Exception {
        AtomicLong largest = new AtomicLong();
        Flux<Long> source = Flux.range(0, 10_000).map(i -> (long) i)
                .doOnRequest(n -> largest.accumulateAndGet(n, Math::max));
        long total = numbers.sum(FlowAdapters.toFlowPublisher(source)).toCompletableFuture().get(30, SECONDS);
        assertThat(total).isEqualTo(9_999L * 10_000 / 2);
        assertThat(largest.get()).isBetween(1L, (long) MAX_AHEAD); // never the unbounded request
    }

    @Test
    void emptyFluxAsArgument_completesAtOnce() throws Exception {
        assertThat(numbers.sum(FlowAdapters.toFlowPublisher(Flux.<Long>empty())).toCompletableFuture()
                .get(30, SECONDS)).isZero();
    }

    @Test
    void submissionPublisherAsArgument_submitWaitsForTheServant() throws Exception {
        int buffer = 4;
        try (SubmissionPublisher<Long> source = new SubmissionPublisher<>(java.util.concurrent.ForkJoinPool.commonPool(), buffer)) {
            var total = numbers.sum(source).toCompletableFuture();
            // A SubmissionPublisher drops what is submitted before it has subscribers: the call
            // subscribes once it is sent.
            await().atMost(Duration.ofSeconds(20)).until(() -> source.getNumberOfSubscribers() == 1);
            long ahead = 0;
            for (long i = 0; i < 20_000; i++) {
                source.submit(i); // blocks while the subscriber's buffer is full: back-pressure
                ahead = Math.max(ahead, i + 1 - servant.received.get());
            }
            source.close();
            assertThat(total.get(30, SECONDS)).isEqualTo(19_999L * 20_000 / 2);
            // submitted and not yet received: the publisher's buffer, what Hermod asked for and
            // has not written, and the servant's credit: never the whole stream
            assertThat(ahead).isLessThanOrEqualTo(buffer + MAX_AHEAD + MAX_WINDOW + 1);
        }
    }
}
