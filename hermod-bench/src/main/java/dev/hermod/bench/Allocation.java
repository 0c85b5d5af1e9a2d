package dev.hermod.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/**
 * Heap bytes allocated so far by the live platform threads of each side of a run in this JVM:
 * the server's (its I/O, accept and dispatch threads, named {@code hermod-server-*} and
 * {@code hermod-dispatch-*}) and the client's (every other thread: the bench's calling thread,
 * the client's I/O and callback threads, the shared timer). The difference over a run, divided
 * by its calls, is the allocation budget per call of issue 19 (goal: 300 B or less per side).
 * Threads that end during a run take their count with them, and virtual threads are not counted;
 * the scenarios that use it run on long-lived platform threads.
 *
 * @param client bytes allocated by the client's side, or -1 where the JVM does not tell
 * @param server bytes allocated by the server's side, or -1 where the JVM does not tell
 */
record Allocation(long client, long server) {

    /** The counters now. */
    static Allocation now() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            return new Allocation(-1, -1);
        }
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        long client = 0;
        long server = 0;
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null || bytes[i] < 0) {
                continue; // ended while we looked
            }
            if (serverThread(infos[i].getThreadName())) {
                server += bytes[i];
            } else {
                client += bytes[i];
            }
        }
        return new Allocation(client, server);
    }

    static boolean serverThread(String name) {
        return name.startsWith("hermod-server") || name.startsWith("hermod-dispatch");
    }

    /** What was allocated since {@code before}; unknown stays -1. */
    Allocation since(Allocation before) {
        return new Allocation(client < 0 || before.client < 0 ? -1 : client - before.client,
                server < 0 || before.server < 0 ? -1 : server - before.server);
    }
}
