package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Server.Builder#directExecutor()}: operations run on the I/O thread that read them. */
class DirectExecutorTest {

    @Remote
    public interface Threads {
        /** The name of the thread the operation ran on, and {@code text} back. */
        String where(String text);

        /** Answers {@code text} after {@code millis}, without holding a thread. */
        CompletionStage<String> later(String text, int millis);

        /** Makes a synchronous Hermod call to {@code port} from inside the operation. */
        String nested(int port);

        /** {@code length} characters that depend on {@code seed}. */
        String pattern(int seed, int length);
    }

    static String expectedPattern(int seed, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) ('a' + (seed + i) % 26));
        }
        return b.toString();
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeLast) {
            c.close();
        }
        timer.shutdownNow();
    }

    private final class ThreadsImpl implements Threads {
        @Override
        public String where(String text) {
            return Thread.currentThread().getName() + ":" + text;
        }

        @Override
        public CompletionStage<String> later(String text, int millis) {
            CompletableFuture<String> f = new CompletableFuture<>();
            timer.schedule(() -> f.complete(text), millis, TimeUnit.MILLISECONDS);
            return f;
        }

        @Override
        public String pattern(int seed, int length) {
            return expectedPattern(seed, length);
        }

        @Override
        public String nested(int port) {
            try (Client inner = Hermod.client("tcp://127.0.0.1:" + port)) {
                return inner.proxy(Threads.class, "threads").where("inner");
            }
        }
    }

    private Server start(Server.Builder builder) {
        Server server = builder.host("127.0.0.1").add("threads", Threads.class, new ThreadsImpl()).start();
        closeLast.add(0, server);
        return server;
    }

    private Threads proxy(Server server) {
        Client client = TestServers.client(server);
        closeLast.add(0, client);
        return client.proxy(Threads.class, "threads");
    }

    @Test
    void operation_runsOnTheServersIoThread() {
        Threads threads = proxy(start(Hermod.server().directExecutor()));

        assertThat(threads.where("x")).startsWith("hermod-server-io").endsWith(":x");
    }

    @Test
    void defaultExecutor_runsOperationsOffTheIoThread() {
        Threads threads = proxy(start(Hermod.server()));

        assertThat(threads.where("x")).doesNotStartWith("hermod-server-io").endsWith(":x");
    }

    @Test
    void manyConcurrentCalls_fromSeveralThreads_eachGetsItsOwnAnswer() throws Exception {
        Server server = start(Hermod.server().directExecutor());
        Client client = TestServers.client(server);
        closeLast.add(0, client);
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<AsyncResult<Object>>>> batches = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                batches.add(pool.submit(() -> {
                    List<AsyncResult<Object>> results = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        results.add(i % 2 == 0 ? client.invoke("threads", "where", thread + "-" + i)
                                : client.invoke("threads", "later", thread + "-" + i, 1));
                    }
                    return results;
                }));
            }
            for (int t = 0; t < 4; t++) {
                List<AsyncResult<Object>> results = batches.get(t).get(30, TimeUnit.SECONDS);
                for (int i = 0; i < 500; i++) {
                    Object answer = results.get(i).get(30, TimeUnit.SECONDS);
                    assertThat(answer.toString()).endsWith(t + "-" + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyRepliesOfEverySize_madeOnTheIoThread_eachArrivesWhole() throws Exception {
        Server server = start(Hermod.server().directExecutor().ioThreads(1));
        Client client = TestServers.client(server);
        closeLast.add(0, client);
        // Small replies share the buffer the link lends; one above 2 KiB is sent as a copy of its
        // own, one above 4 KiB grows the buffer, which is then let go; one above 64 KiB spans batches.
        int[] lengths = {5, 300, 2_500, 5_000, 70_000, 40};
        List<AsyncResult<Object>> results = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            results.add(client.invoke("threads", "pattern", i, lengths[i % lengths.length]));
        }
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS)).as("reply %d", i)
                    .isEqualTo(expectedPattern(i, lengths[i % lengths.length]));
        }
    }

    @Test
    void asyncServant_answersLater_withoutHoldingTheIoThread() throws Exception {
        Server server = start(Hermod.server().directExecutor().ioThreads(1));
        Client client = TestServers.client(server);
        closeLast.add(0, client);

        AsyncResult<Object> slow = client.invoke("threads", "later", "slow", 1_000);
        Object quick = client.invoke("threads", "where", "quick").get(5, TimeUnit.SECONDS);

        assertThat(slow.isDone()).as("the slow answer is still pending while the quick one is served").isFalse();
        assertThat(quick.toString()).endsWith(":quick");
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
    }

    @Test
    void synchronousCall_fromAnOperationOnTheIoThread_failsClearly_andTheServerKeepsServing() {
        Server other = start(Hermod.server());
        Threads threads = proxy(start(Hermod.server().directExecutor()));

        assertThatThrownBy(() -> threads.nested(other.port()))
                .isInstanceOf(RemoteException.class)
                .hasMessageContaining("IllegalStateException")
                .hasMessageContaining("would block a Hermod I/O thread");
        assertThat(threads.where("after")).endsWith(":after");
    }

    @Test
    void nestedSynchronousCall_worksWithTheDefaultExecutor() {
        Server other = start(Hermod.server());
        Threads threads = proxy(start(Hermod.server()));

        assertThat(threads.nested(other.port())).endsWith(":inner");
    }

    @Test
    void cancel_ofACallServedOnTheIoThread_neverInterruptsIt() throws Exception {
        Server server = start(Hermod.server().directExecutor().ioThreads(1));
        Client client = TestServers.client(server);
        closeLast.add(0, client);
        for (int i = 0; i < 200; i++) {
            AsyncResult<Object> r = client.invoke("threads", "where", "c" + i);
            r.cancel(true);
        }

        // Had a cancel interrupted the I/O thread, its next wait for I/O would fail and close connections.
        Threads threads = client.proxy(Threads.class, "threads");
        assertThat(threads.where("still")).endsWith(":still");
        assertThat(client.invoke("threads", "later", "timer", 5).get(5, TimeUnit.SECONDS)).isEqualTo("timer");
    }
}
