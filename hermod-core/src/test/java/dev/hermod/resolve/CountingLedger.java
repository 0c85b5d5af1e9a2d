package dev.hermod.resolve;

import dev.hermod.heal.Ledger;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link Ledger} that counts its calls; {@code record} waits for {@link #release} first. */
final class CountingLedger implements Ledger {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @Override
    public long echo(long seq) {
        calls.incrementAndGet();
        return seq;
    }

    @Override
    public long record(long seq) {
        calls.incrementAndGet();
        entered.countDown();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return seq;
    }

    @Override
    public void note(long seq) {
        calls.incrementAndGet();
    }

    void release() {
        release.countDown();
    }
}
