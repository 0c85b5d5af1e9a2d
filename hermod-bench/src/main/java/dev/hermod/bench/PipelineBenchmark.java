package dev.hermod.bench;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Remote;
import dev.hermod.Server;
import dev.hermod.tools.CompanionOf;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pipelining scenario (issue "Streams and pipelined promises", item 4): a chain of three
 * dependent calls, {@code tree.root()}, then {@code child()} on the node it returns, then
 * {@code name()} on the node that returns, over a link that delays every byte by
 * {@value #ONE_WAY_MILLIS} ms each way (a 2 ms round trip, a network between two racks rather
 * than loopback). Waiting for each result before the next call costs three round trips;
 * {@code Hermod.pipeline} sends all three at once and costs one. The servant answers at once, so
 * what is measured is round trips. Measured calls alternate between the two forms in
 * {@code --runs} segments; every answer is checked.
 */
public final class PipelineBenchmark {
    /** The delay each way of the simulated link. */
    static final int ONE_WAY_MILLIS = 1;

    /** A tree of nodes, each a remote object. */
    @Remote
    public interface Tree {
        Node root();
    }

    /** The asynchronous companion of {@link Tree}. */
    @CompanionOf(Tree.class)
    public interface TreeAsync {
        AsyncResult.Throwing<Node, RuntimeException> root();
    }

    /** One node. */
    @Remote
    public interface Node {
        Node child();

        String name();
    }

    /** The asynchronous companion of {@link Node}. */
    @CompanionOf(Node.class)
    public interface NodeAsync {
        AsyncResult.Throwing<Node, RuntimeException> child();

        AsyncResult.Throwing<String, RuntimeException> name();
    }

    private record LocalNode(int depth) implements Node {
        @Override
        public Node child() {
            return new LocalNode(depth + 1);
        }

        @Override
        public String name() {
            return "node-" + depth;
        }
    }

    private PipelineBenchmark() {}

    static void run(Options o, Report report) throws Exception {
        Tree tree = () -> new LocalNode(0);
        try (Server server = Hermod.server().host("127.0.0.1").add("tree", Tree.class, tree).start();
                DelayLink link = new DelayLink(server.port(), ONE_WAY_MILLIS);
                Client client = Hermod.client("tcp://127.0.0.1:" + link.port())) {
            TreeAsync async = client.proxy(TreeAsync.class, "tree");
            Tree sync = client.proxy(Tree.class, "tree");
            int chains = Math.max(10, o.calls() / 200);
            report.line("pipeline: chains of 3 dependent calls (root, child, name) over a link delaying %d ms each"
                    + " way; %d measured chains per form in %d segments; sequential: each call waits for the"
                    + " one before; pipelined: Hermod.pipeline sends all three at once", ONE_WAY_MILLIS, chains,
                    o.runs());
            if (o.warmupCalls() > 0) {
                int rounds = Math.max(5, o.warmupCalls() / 500);
                long max = o.warmupMax().toNanos();
                WarmUp.run(report, "pipeline: sequential", "chains/s", max, () -> rate(() -> sequential(sync), rounds));
                WarmUp.run(report, "pipeline: pipelined", "chains/s", max, () -> rate(() -> pipelined(async), rounds));
            }
            long sequentialNanos = 0;
            long pipelinedNanos = 0;
            int segments = Math.min(o.runs(), chains);
            for (int i = 0; i < segments; i++) {
                int n = (int) ((long) chains * (i + 1) / segments - (long) chains * i / segments);
                long t0 = System.nanoTime();
                repeat(() -> sequential(sync), n);
                long t1 = System.nanoTime();
                repeat(() -> pipelined(async), n);
                pipelinedNanos += System.nanoTime() - t1;
                sequentialNanos += t1 - t0;
            }
            double sequential = sequentialNanos / 1e6 / chains;
            double pipelined = pipelinedNanos / 1e6 / chains;
            report.result("pipeline.sequential.chain", sequential, "ms");
            report.result("pipeline.pipelined.chain", pipelined, "ms");
            report.result("pipeline.roundtrips.saved", sequential / pipelined, "ratio");
        }
    }

    private static String sequential(Tree tree) {
        return tree.root().child().name();
    }

    private static String pipelined(TreeAsync tree) throws Exception {
        AsyncResult<Node> root = tree.root();
        AsyncResult<Node> child = Hermod.pipeline(root, NodeAsync.class).child();
        return Hermod.pipeline(child, Node.class).name();
    }

    private interface Chain {
        String run() throws Exception;
    }

    private static double rate(Chain chain, int n) throws Exception {
        long t0 = System.nanoTime();
        repeat(chain, n);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static void repeat(Chain chain, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String name = chain.run();
            if (!"node-1".equals(name)) {
                throw new BenchmarkFailure("chain " + i + " answered " + name + ", not node-1");
            }
        }
    }

    /**
     * A TCP relay on loopback that hands on every chunk it reads {@code delayMillis} later, in
     * order, in both directions: a link with a round trip of twice that.
     */
    static final class DelayLink implements AutoCloseable {
        private final ServerSocket listener;
        private final int target;
        private final long delayNanos;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "delay-link");
            t.setDaemon(true);
            return t;
        });
        private volatile boolean closed;

        DelayLink(int target, int delayMillis) throws IOException {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.target = target;
            this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
            Thread acceptor = new Thread(this::accept, "delay-link-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            while (!closed) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    pump(client, server);
                    pump(server, client);
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        /** Reads from {@code from} and writes each chunk to {@code to} after the delay, in order. */
        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[64 * 1024];
                try (InputStream in = from.getInputStream()) {
                    OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        byte[] chunk = Arrays.copyOf(buffer, n);
                        // one timer thread and one delay: chunks leave in the order they came
                        later(() -> write(out, chunk, to), to);
                    }
                } catch (IOException e) {
                    // the peer closed
                }
                later(() -> close(to), to);
            }, "delay-link-pump");
            t.setDaemon(true);
            t.start();
        }

        /** Runs {@code task} after the delay; once the link is closed, closes {@code to} instead. */
        private void later(Runnable task, Socket to) {
            try {
                timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closedLink) {
                close(to);
            }
        }

        private static void write(OutputStream out, byte[] chunk, Socket to) {
            try {
                out.write(chunk);
            } catch (IOException e) {
                close(to);
            }
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            closed = true;
            listener.close();
            timer.shutdownNow();
        }
    }
}
