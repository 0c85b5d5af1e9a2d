package dev.hermod;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

class JobsImpl implements Jobs {
    final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
    final AtomicInteger canceled = new AtomicInteger();
    final AtomicInteger started = new AtomicInteger();
    private final Map<String, Client> relays = new ConcurrentHashMap<>();

    @Override
    public String run(int steps, long stepMillis) {
        started.incrementAndGet();
        Current current = Current.get();
        for (int i = 0; i < steps; i++) {
            if (current.isCanceled()) {
                canceled.incrementAndGet();
                return "canceled at step " + i;
            }
            current.progress((double) i / steps, "step " + (i + 1) + " of " + steps);
            try {
                Thread.sleep(stepMillis);
            } catch (InterruptedException e) {
                canceled.incrementAndGet();
                return "interrupted at step " + i;
            }
        }
        current.progress(1.0, "done");
        return "ran " + steps + " steps";
    }

    @Override
    public CompletionStage<String> later(String key) {
        return waiting.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    @Override
    public void release(String key) {
        waiting.computeIfAbsent(key, k -> new CompletableFuture<>()).complete("released " + key);
    }

    @Override
    public int canceledRuns() {
        return canceled.get();
    }

    @Override
    public String relay(String target, int steps, long stepMillis) {
        Client client = relays.computeIfAbsent(target, Hermod::client);
        return client.proxy(Jobs.class, "jobs").run(steps, stepMillis);
    }

    void closeRelays() {
        relays.values().forEach(Client::close);
    }
}
