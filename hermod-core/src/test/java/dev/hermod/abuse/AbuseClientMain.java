package dev.hermod.abuse;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.RpcException;
import dev.hermod.Status;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client process of the abuse suite's client-side attack: a Hermod client with default
 * settings, in a JVM of fixed heap, that makes {@code calls} asynchronous oneway calls as fast
 * as it can to a server that never reads them (arguments: port, calls). A bounded client refuses
 * the calls it cannot hold with {@code RESOURCE_EXHAUSTED}; an unbounded one runs out of memory.
 *
 * <p>Prints one line, {@code result refused=<n> failed=<n> accepted=<n> retained=<bytes>} (the live
 * heap after the flood, still connected) followed by the {@link MemoryProbe} figures, and exits.
 */
public final class AbuseClientMain {
    private AbuseClientMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int port = Integer.parseInt(args[0]);
        long calls = Long.parseLong(args[1]);
        MemoryProbe probe = MemoryProbe.start();
        probe.gc();
        probe.reset();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long accepted = 0;
        try (Client client = Hermod.client("tcp://127.0.0.1:" + port)) {
            AbuseAsync oneway = Hermod.oneway(client.proxy(AbuseAsync.class, "abuse"));
            String text = "a note of some thirty-two chars.";
            for (long i = 0; i < calls; i++) {
                AsyncResult<Void> r = oneway.note(text);
                if (r.isFailed()) {
                    Throwable e = r.error().orElseThrow();
                    if (e instanceof RpcException rpc && rpc.status() == Status.RESOURCE_EXHAUSTED) {
                        refused.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                } else {
                    accepted++;
                }
            }
            String figures = probe.figures();
            // What the client still holds with all the calls it accepted waiting: collected until
            // the heap stops shrinking, so that what a collection left to cleaners (the failure
            // watches of refused results) is gone too, however busy the machine is.
            probe.gc();
            long before = Long.MAX_VALUE;
            for (int round = 0; round < 20 && before - MemoryProbe.heapUsed() > (1 << 20); round++) {
                before = MemoryProbe.heapUsed();
                Thread.sleep(250);
                probe.gc();
            }
            out.println("result refused=" + refused + " failed=" + failed + " accepted=" + accepted
                    + " retained=" + MemoryProbe.heapUsed() + " " + figures);
            client.shutdownNow();
        }
        System.exit(0);
    }
}
