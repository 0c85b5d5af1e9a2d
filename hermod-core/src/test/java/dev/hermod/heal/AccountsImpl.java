package dev.hermod.heal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** Accounts in memory, counting the deposits run; optionally holding each deposit until released. */
final class AccountsImpl implements Accounts {
    final Map<String, Long> balances = new ConcurrentHashMap<>();
    final AtomicInteger depositsRun = new AtomicInteger();
    final CountDownLatch entered = new CountDownLatch(1);
    final Semaphore gate;

    AccountsImpl(boolean gated) {
        this.gate = gated ? new Semaphore(0) : null;
    }

    @Override
    public long deposit(String account, long amount) {
        depositsRun.incrementAndGet();
        entered.countDown();
        if (gate != null) {
            gate.acquireUninterruptibly();
        }
        return balances.merge(account, amount, Long::sum);
    }

    @Override
    public long depositUnmarked(String account, long amount) {
        return deposit(account, amount);
    }

    @Override
    public long balance(String account) {
        return balances.getOrDefault(account, 0L);
    }
}
